// The alerts' webhooks against a real HTTP receiver on 127.0.0.1 that verifies each request's HMAC-SHA256
// signature with the secret the manager was shown, on SQLite and PostgreSQL: retried with exponential
// backoff after failures, delivered once, picked up by another dispatcher after a restart, never sent twice
// by dispatchers racing, and given up after the last attempt.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { alertEventSchema } from "../../core/api/managers.ts";
import { createLogger } from "../logger.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { newJobRequest } from "../test-support/job-requests.ts";
import { openTestStores, type TestStores } from "../test-support/test-stores.ts";
import { SqlManagerStore } from "./manager-store.ts";
import { WebhookDispatcher, type WebhookSettings } from "./webhook-dispatcher.ts";

interface Received {
  at: number;
  eventId: string;
  valid: boolean;
  body: unknown;
}

/** A receiver as a team would write one: checks the signature over `<timestamp>.<raw body>`, dedupes by
 * event id, and answers the statuses it is told to, in order (then 200). */
async function receiver(secret: () => string, statuses: number[]) {
  const received: Received[] = [];
  const processed = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const ts = String(req.headers["x-studio-timestamp"] ?? "");
      const given = Buffer.from(String(req.headers["x-studio-signature"] ?? ""));
      const expected = Buffer.from(`sha256=${createHmac("sha256", secret()).update(`${ts}.${raw}`).digest("hex")}`);
      const valid = given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(ts)) < 300;
      const eventId = String(req.headers["x-studio-event-id"] ?? "");
      received.push({ at: Date.now(), eventId, valid, body: JSON.parse(raw) as unknown });
      const status = !valid ? 401 : (statuses.shift() ?? 200);
      if (status === 200) processed.add(eventId); // a duplicate would be acknowledged without acting again
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/studio?token=receiver-own`, received, processed, close: () => new Promise((r) => server.close(r)) };
}

// The receiver is on 127.0.0.1, an internal address the proxy refuses by default (the last test).
const SETTINGS: WebhookSettings = { timeoutMs: 2000, retryBaseMs: 150, retryMaxMs: 1000, maxAttempts: 5, allowPrivateTargets: true };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DB_KINDS)("webhook dispatcher on %s", (kind) => {
  let t: TestStores;
  let closeReceiver: (() => Promise<unknown>) | undefined;
  beforeEach(async () => {
    t = await openTestStores(kind);
  });
  afterEach(async () => {
    await closeReceiver?.();
    await t.cleanup();
  });

  /** A team whose 50 % project threshold one job crosses, with the webhook at `url`; returns its secret. */
  async function crossThreshold(url: string): Promise<{ teamId: string; secret: string }> {
    const { team, manager } = await t.teams.createTeam({ name: "T", tier: "pro", monthlyCredits: 2000, managerName: "M" });
    const project = await t.managers.createProject(team.id, team.periodStart, { name: "Launch", budget: 10, budgetKind: "monthly" });
    await t.managers.addThreshold(team.id, { scope: "project", targetId: project.id, percent: 50 });
    const { secret } = await t.managers.setWebhook(team.id, url);
    await t.jobs.createWithHold(newJobRequest({ teamId: team.id, memberId: manager.id }, { variations: 3, projectId: project.id }));
    return { teamId: team.id, secret };
  }

  async function until(what: () => Promise<boolean>, ms = 8000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > end) throw new Error("timed out");
      await sleep(20);
    }
  }

  const outbox = (teamId: string) =>
    t.db.one<{ attempts: number; delivered_at: string | null; failed_at: string | null; last_error: string | null }>(
      "SELECT attempts, delivered_at, failed_at, last_error FROM webhook_outbox WHERE team_id = $1",
      [teamId],
    );

  it("retries a failing receiver with backoff, survives a restart, and delivers a verified event once", async () => {
    let secret = "";
    const r = await receiver(() => secret, [500, 500]);
    closeReceiver = r.close;
    const team = await crossThreshold(r.url);
    secret = team.secret;
    const logged: string[] = [];
    const logger = createLogger("info", { write: (line: string) => void logged.push(line) });

    // The first proxy tries once and stops (a restart); a second one, on its own connection, finishes.
    const first = new WebhookDispatcher(t.db, t.managers, SETTINGS, logger);
    expect(await first.deliverDue()).toBe(0);
    await first.stop();
    const db2 = kind === "postgres" ? (await t.connect(1))[0]! : t.db;
    const second = new WebhookDispatcher(db2, new SqlManagerStore(db2), SETTINGS, logger);
    second.start(10);
    await until(async () => (await outbox(team.teamId))?.delivered_at != null);
    await second.stop();

    expect(r.received).toHaveLength(3);
    expect(r.received.every((x) => x.valid)).toBe(true);
    expect(new Set(r.received.map((x) => x.eventId)).size).toBe(1);
    expect(r.processed.size).toBe(1);
    // Backoff: 150 ms after the first failure, 300 ms after the second.
    expect(r.received[1]!.at - r.received[0]!.at).toBeGreaterThanOrEqual(140);
    expect(r.received[2]!.at - r.received[1]!.at).toBeGreaterThanOrEqual(290);
    const event = alertEventSchema.parse(r.received[0]!.body);
    expect(event).toMatchObject({ id: r.received[0]!.eventId, type: "threshold.crossed", teamId: team.teamId, alert: { scope: "project", percent: 50, used: 6, base: 10 } });
    expect(await outbox(team.teamId)).toMatchObject({ attempts: 3, failed_at: null, last_error: null });
    // The secret never reaches the log; the receiver's path and query (its own token) neither.
    expect(logged.join("")).not.toContain(secret);
    expect(logged.join("")).not.toContain("receiver-own");
    expect(logged.join("")).toContain("will retry");
  });

  it("sends each attempt once when dispatchers race, and gives up after the last attempt", async () => {
    let secret = "";
    const r = await receiver(() => secret, [500, 500, 500, 500, 500, 500, 500]);
    closeReceiver = r.close;
    const team = await crossThreshold(r.url);
    secret = team.secret;
    const settings = { ...SETTINGS, retryBaseMs: 50, maxAttempts: 3 };
    const logger = createLogger("silent");
    const dbs = kind === "postgres" ? [t.db, ...(await t.connect(2))] : [t.db];
    const dispatchers = [0, 1, 2].map((i) => new WebhookDispatcher(dbs[i % dbs.length]!, t.managers, settings, logger));
    await until(async () => {
      await Promise.all(dispatchers.map((d) => d.deliverDue()));
      return (await outbox(team.teamId))?.failed_at != null;
    });
    expect(r.received).toHaveLength(3);
    expect(await outbox(team.teamId)).toMatchObject({ attempts: 3, delivered_at: null, last_error: "HTTP 500" });
  });

  it("signs with the team's current secret: a receiver holding another one refuses", async () => {
    const r = await receiver(() => "whsec_not-the-one", []);
    closeReceiver = r.close;
    const team = await crossThreshold(r.url);
    await new WebhookDispatcher(t.db, t.managers, { ...SETTINGS, maxAttempts: 1 }, createLogger("silent")).deliverDue();
    expect(r.received).toHaveLength(1);
    expect(r.received[0]!.valid).toBe(false);
    expect(await outbox(team.teamId)).toMatchObject({ last_error: "HTTP 401" });
  });

  it("never connects to an internal address unless allowed, whether the URL names it or a name resolves to it", async () => {
    let secret = "";
    const r = await receiver(() => secret, []);
    closeReceiver = r.close;
    const port = new URL(r.url).port;
    const refused = "refused: the target is a loopback, private or link-local address";
    const guarded = new WebhookDispatcher(t.db, t.managers, { ...SETTINGS, allowPrivateTargets: false, maxAttempts: 1 }, createLogger("silent"));
    // A literal address, and a name the resolver turns into one (checked by the lookup the connection uses).
    for (const url of [r.url, `http://localhost:${port}/hooks/studio`]) {
      const team = await crossThreshold(url);
      await guarded.deliverDue();
      expect(await outbox(team.teamId)).toMatchObject({ attempts: 1, delivered_at: null, last_error: refused });
      expect(await outbox(team.teamId)).toHaveProperty("failed_at", expect.anything());
    }
    expect(r.received).toHaveLength(0);
    // Allowed (WEBHOOK_ALLOW_PRIVATE_TARGETS), the same name is delivered to.
    const team = await crossThreshold(`http://localhost:${port}/hooks/studio`);
    secret = team.secret;
    await new WebhookDispatcher(t.db, t.managers, { ...SETTINGS, maxAttempts: 1 }, createLogger("silent")).deliverDue();
    expect(r.received).toMatchObject([{ valid: true }]);
    expect((await outbox(team.teamId))?.delivered_at).not.toBeNull();
  });
});
