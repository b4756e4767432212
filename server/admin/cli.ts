// The operator's tool: `npm run admin -- <command>`. Exit codes: 0 done, 1 failed, 2 bad usage.
import { pathToFileURL } from "node:url";
import { loadCatalog } from "../catalog-loader.ts";
import { parseConfig, providerKeyLookup } from "../config.ts";
import { builtInAdapters, ProviderRegistry } from "../providers/registry.ts";
import { checksPassed, checksText } from "./providers-check.ts";
import { openStores } from "../compose.ts";
import { StartupError } from "../startup-error.ts";
import { ControlsLimitError } from "../teams/manager-store.ts";
import { TeamNotFoundError } from "../teams/types.ts";
import { parseCommand, USAGE, UsageError, type Command } from "./args.ts";
import { runCommand, type CommandResult } from "./commands.ts";

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

function human(result: CommandResult): string {
  switch (result.kind) {
    case "team": {
      const t = result.team;
      return [
        `Created team "${t.name}" (${t.id})`,
        `  tier     ${t.tier} (${result.monthlyCredits === null ? "unlimited, metered" : `${result.monthlyCredits} credits / month`})`,
        `  period   ${t.periodStart} → ${t.periodEnd}`,
        `  manager  ${t.manager.name} (${t.manager.id})`,
        "",
        "Manager token (shown once):",
        `  ${result.token}`,
      ].join("\n");
    }
    case "member": {
      const m = result.member;
      return [
        `Member "${m.name}" (${m.id}), ${m.role} of ${m.teamId}${m.monthlyCap !== null ? `, cap ${m.monthlyCap} credits / month` : ""}`,
        "",
        "Token (shown once):",
        `  ${result.token}`,
      ].join("\n");
    }
    case "grant": {
      const b = result.balance;
      return [
        `Granted ${result.grant.amount} credits to ${result.grant.teamId} (top-up, no expiry)`,
        `  available  ${b.available ?? "unlimited"}`,
        `  held       ${b.held}`,
        `  granted    ${b.granted}`,
        `  spent      ${b.spent}`,
      ].join("\n");
    }
    case "tier": {
      const b = result.balance;
      return [`Tier of ${b.teamId}: ${result.change.note}`, `  available  ${b.available ?? "unlimited"}`, `  held       ${b.held}`].join("\n");
    }
    case "project": {
      const p = result.project;
      const budget = p.budget === null ? "no budget" : `budget ${p.budget} credits ${p.budgetKind === "once" ? "(one-off)" : "a month"}`;
      return `Created project "${p.name}" (${p.id}) of ${result.teamId}, ${budget}`;
    }
    case "verify":
      return result.drift.length === 0
        ? `Ledger verified: ${result.teams} teams; every balance, grant and member counter equals what the entries say.`
        : [`Ledger drift found (${result.drift.length}):`, ...result.drift.map((d) => `  ${d.teamId}  ${d.what}: stored ${d.stored}, entries say ${d.expected}`)].join("\n");
    case "providers":
      return checksText(result.providers);
  }
}

function json(result: CommandResult): string {
  switch (result.kind) {
    case "team":
      return JSON.stringify({ team: result.team, token: result.token });
    case "member":
      return JSON.stringify({ member: result.member, token: result.token });
    case "grant":
      return JSON.stringify({ grant: result.grant, balance: result.balance });
    case "tier":
      return JSON.stringify({ change: result.change, balance: result.balance });
    case "project":
      return JSON.stringify({ project: result.project });
    case "verify":
      return JSON.stringify({ ok: result.drift.length === 0, teams: result.teams, drift: result.drift });
    case "providers":
      return JSON.stringify({ ok: checksPassed(result.providers), providers: result.providers });
  }
}

/** Drift, or a configured provider whose key is not usable, is a failure a script or CI must notice. */
function failed(result: CommandResult): boolean {
  if (result.kind === "verify") return result.drift.length > 0;
  if (result.kind === "providers") return !checksPassed(result.providers);
  return false;
}

export async function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: Io): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (cmd.command === "help") {
    io.out(USAGE);
    return 0;
  }
  try {
    const config = parseConfig(env);
    const catalog = await loadCatalog(config.catalogPath);
    const stores = await openStores(config, catalog);
    try {
      const keyFor = providerKeyLookup(config, env);
      const providers = new ProviderRegistry(catalog, builtInAdapters(config, keyFor), keyFor, stores.retiredModels);
      const result = await runCommand(cmd, stores, catalog, providers);
      io.out(cmd.options.json ? json(result) : human(result));
      return failed(result) ? 1 : 0;
    } finally {
      await stores.close();
    }
  } catch (error) {
    if (error instanceof StartupError || error instanceof TeamNotFoundError || error instanceof ControlsLimitError) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await runCli(process.argv.slice(2), process.env, {
    out: (t) => console.log(t),
    err: (t) => console.error(t),
  });
  process.exitCode = code;
}
