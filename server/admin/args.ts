// The admin CLI's grammar, parsed with node:util parseArgs and checked with zod, so a typo is a clear error
// naming the flag instead of a half-done change.
import { parseArgs } from "node:util";
import { z } from "zod";
import { tierIdSchema } from "../../core/catalog/schema.ts";
import { roleSchema } from "../../core/api/responses.ts";
import { lineText } from "../../core/api/text.ts";

export const USAGE = `Usage: npm run admin -- <command> [options]

  team create --name <name> --tier <free|basic|pro|enterprise> [--manager <name>] [--json]
      Creates a team with its monthly grant and a manager; prints the manager's token (shown once).
  member add --team <team id> --name <name> [--role member|manager] [--monthly-cap <credits>] [--json]
      Adds a member; prints the member's token (shown once).
  grant --team <team id> --credits <n> [--json]
      Adds a top-up grant that never expires; prints the new balance.
  token rotate --member <member id> [--json]
      Revokes the member's tokens and prints a new one (shown once).
  tier set --team <team id> --tier <free|basic|pro|enterprise> [--json]
      Changes the team's tier now; this period's credits change as the catalog's tierChange says.
  project create --team <team id> --name <name> [--budget <credits>] [--once] [--json]
      Creates a project jobs can be charged to, with a monthly credit budget (--once: one-off, for the
      project's life; no --budget: none). Managers do the same with POST /v1/projects.
  ledger verify [--json]
      Recomputes every balance, grant and member counter from the ledger's entries; exits 1 on any drift.
  providers check [--json]
      For each configured provider, one cheap authenticated call: key valid, invalid or without billing, and
      which catalog models the provider lists; exits 1 unless every configured provider's key is valid.

Uses the same DATA_DIR / DATABASE_URL / CATALOG_PATH and provider keys as the server.`;

export class UsageError extends Error {
  override name = "UsageError";
}

// A name ends up in the panel, CSV exports and logs: one line, no control characters (as in the HTTP API).
const name = lineText().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");
const id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[a-z2-7]{26}$`), `must be an id like ${prefix}_…`);
const wholeNumber = (min: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(1_000_000_000, "is too large"));

const commands = {
  "team create": z.strictObject({ name, tier: tierIdSchema, manager: name.default("Manager"), json: z.boolean().default(false) }),
  "member add": z.strictObject({
    team: id("team"),
    name,
    role: roleSchema.default("member"),
    "monthly-cap": wholeNumber(0).optional(),
    json: z.boolean().default(false),
  }),
  grant: z.strictObject({ team: id("team"), credits: wholeNumber(1), json: z.boolean().default(false) }),
  "token rotate": z.strictObject({ member: id("mem"), json: z.boolean().default(false) }),
  "tier set": z.strictObject({ team: id("team"), tier: tierIdSchema, json: z.boolean().default(false) }),
  "project create": z.strictObject({ team: id("team"), name, budget: wholeNumber(0).optional(), once: z.boolean().default(false), json: z.boolean().default(false) }),
  "ledger verify": z.strictObject({ json: z.boolean().default(false) }),
  "providers check": z.strictObject({ json: z.boolean().default(false) }),
} as const;

export type Command =
  | { command: "team create"; options: z.output<(typeof commands)["team create"]> }
  | { command: "member add"; options: z.output<(typeof commands)["member add"]> }
  | { command: "grant"; options: z.output<(typeof commands)["grant"]> }
  | { command: "token rotate"; options: z.output<(typeof commands)["token rotate"]> }
  | { command: "tier set"; options: z.output<(typeof commands)["tier set"]> }
  | { command: "project create"; options: z.output<(typeof commands)["project create"]> }
  | { command: "ledger verify"; options: z.output<(typeof commands)["ledger verify"]> }
  | { command: "providers check"; options: z.output<(typeof commands)["providers check"]> }
  | { command: "help" };

export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: "string" },
        tier: { type: "string" },
        manager: { type: "string" },
        team: { type: "string" },
        role: { type: "string" },
        "monthly-cap": { type: "string" },
        credits: { type: "string" },
        member: { type: "string" },
        budget: { type: "string" },
        once: { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help || parsed.positionals.length === 0) return { command: "help" };
  const key = parsed.positionals.join(" ");
  if (!(key in commands)) throw new UsageError(`unknown command "${key}"`);
  const { help: _help, ...values } = parsed.values;
  const schema = commands[key as keyof typeof commands];
  const result = schema.safeParse(values);
  if (!result.success) {
    const problems = result.error.issues.flatMap((i) =>
      i.code === "unrecognized_keys" ? i.keys.map((k) => `--${k} is not an option of "${key}"`) : [`--${i.path.join(".")}: ${i.message}`],
    );
    throw new UsageError(problems.join("; "));
  }
  return { command: key, options: result.data } as Command;
}
