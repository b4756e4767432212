// The alerts' webhooks side by side, against real receivers on 127.0.0.1, on SQLite and PostgreSQL: a
// receiver that hangs until the timeout holds up only its own team (another team's webhook arrives while it
// hangs), at most `concurrency` teams are delivered to at once, and a team's events go one at a time, in order.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { alertEventSchema } from "../../core/api/managers.ts";
import { createLogger } from "../logger.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { newJobRequest } from "../test-support/job-requests.ts";
import { openTestStores, type TestStores } from "../test-support/test-stores.ts";
import { WebhookDispatcher, type WebhookSettings } from "./webhook-dispatcher.ts";

interface Arrival {
  path: string;
  at: number;
  percent: number;
}

/** A receiver on 127.0.0.1 that hands each request to `answer` and records when it arrived. */
async function receiver(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const arrivals: Arrival[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const event = alertEventSchema.parse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      arrivals.push({ path: req.url ?? "", at: Date.now(), percent: event.alert.percent });
      answer(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    arrivals,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

// The receivers are on 127.0.0.1 (WEBHOOK_ALLOW_PRIVATE_TARGETS); one attempt each, so a hang is not retried.
const SETTINGS: WebhookSettings = { timeoutMs: 3000, retryBaseMs: 100, retryMaxMs: 1000, maxAttempts: 1, allowPrivateTargets: true };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DB_KINDS)("webhook deliveries side by side on %s", (kind) => {
  let t: TestStores;
  const closing: (() => Promise<unknown>)[] = [];
  beforeEach(async () => {
    t = await openTestStores(kind);
  });
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
    await t.cleanup();
  });

  /** A team with its webhook at `url` and thresholds at 20 % and 50 % of a 10-credit project. */
  async function team(url: string) {
    const { team, manager } = await t.teams.createTeam({ name: "T", tier: "pro", monthlyCredits: 2000, managerName: "M" });
    const project = await t.managers.createProject(team.id, team.periodStart, { name: "Launch", budget: 10, budgetKind: "monthly" });
    for (const percent of [20, 50]) await t.managers.addThreshold(team.id, { scope: "project", targetId: project.id, percent });
    await t.managers.setWebhook(team.id, url);
    /** A draft job of `variations` images (2 credits each) held against the project: crosses what it reaches. */
    const spend = async (variations: number) => {
      await t.jobs.createWithHold(newJobRequest({ teamId: team.id, memberId: manager.id }, { variations, projectId: project.id }));
    };
    return { teamId: team.id, spend };
  }

  async function until(what: () => boolean, ms = 8000): Promise<void> {
    const end = Date.now() + ms;
    while (!what()) {
      if (Date.now() > end) throw new Error("timed out");
      await sleep(10);
    }
  }

  it("delivers another team's webhook while one team's receiver hangs", async () => {
    let hanging = 0;
    const slow = await receiver((req, res) => {
      hanging++;
      res.on("close", () => hanging--); // the dispatcher gives up at its timeout and closes the connection
    });
    const fast = await receiver((_req, res) => res.writeHead(204).end());
    closing.push(slow.close, fast.close);
    const stuck = await team(`${slow.url}/hooks`);
    const quick = await team(`${fast.url}/hooks`);

    const dispatcher = new WebhookDispatcher(t.db, t.managers, SETTINGS, createLogger("silent"));
    dispatcher.start(20);
    closing.push(() => dispatcher.stop());
    await stuck.spend(1); // crosses 20 %: its receiver never answers
    await until(() => slow.arrivals.length === 1);
    const alerted = Date.now();
    await quick.spend(1);
    await until(() => fast.arrivals.length === 1);
    // It arrived while the other request still hung, well before that one's timeout.
    expect(hanging).toBe(1);
    expect(fast.arrivals[0]!.at - alerted).toBeLessThan(SETTINGS.timeoutMs / 2);
  });

  it("delivers to at most 4 teams at once, each team's events one at a time and in order", async () => {
    let open = 0;
    let peak = 0;
    const openByTeam = new Map<string, number>();
    let peakPerTeam = 0;
    const r = await receiver((req, res) => {
      const path = req.url ?? "";
      open++;
      openByTeam.set(path, (openByTeam.get(path) ?? 0) + 1);
      peak = Math.max(peak, open);
      peakPerTeam = Math.max(peakPerTeam, openByTeam.get(path)!);
      setTimeout(() => {
        open--;
        openByTeam.set(path, openByTeam.get(path)! - 1);
        res.writeHead(200).end();
      }, 150);
    });
    closing.push(r.close);
    // Six teams, each with two events: 20 % first, then 50 % (two jobs, so two moments).
    const teams = await Promise.all(Array.from({ length: 6 }, (_, i) => team(`${r.url}/team-${i}`)));
    for (const x of teams) await x.spend(1);
    await sleep(5);
    for (const x of teams) await x.spend(2);

    const started = Date.now();
    const delivered = await new WebhookDispatcher(t.db, t.managers, SETTINGS, createLogger("silent")).deliverDue();
    expect(delivered).toBe(12);
    expect(peak).toBe(4);
    expect(peakPerTeam).toBe(1);
    for (let i = 0; i < 6; i++) expect(r.arrivals.filter((a) => a.path === `/team-${i}`).map((a) => a.percent)).toEqual([20, 50]);
    // 12 deliveries of 150 ms, 4 at a time: about three rounds' time, not twelve.
    expect(Date.now() - started).toBeLessThan(12 * 150);
  });
});
