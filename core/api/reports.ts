// Shapes of the manager's reports and team administration (docs/api.md: /v1/team, /v1/ledger, /v1/usage and
// /v1/team/members). The server builds and validates with these; the panel imports them too, so they stay
// within the slim zod subset its bundle carries (no coerce or iso helpers: see scripts/build.ts).
import * as z from "zod";
import { tierIdSchema } from "../catalog/schema.ts";
import { balanceSchema, roleSchema } from "./responses.ts";
import { lineText } from "./text.ts";

const credits = z.number().int().nonnegative();

/** PostgreSQL's INTEGER is 32-bit; a larger cap would fail in the database instead of in validation. */
export const MONTHLY_CAP_MAX = 2_147_483_647;
export const MEMBER_NAME_MAX = 200;

// ---------------------------------------------------------------------------------------------------------
// GET /v1/team

export const teamMemberSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  /** Credits per billing period; null = no cap. */
  monthlyCap: credits.nullable(),
  disabled: z.boolean(),
  /** Captured for this member in the team's current period. */
  spent: credits,
  /** Held right now for the member's unfinished jobs. */
  held: credits,
  /** What the cap still allows (cap - spent - held, at least 0); null without a cap. */
  capRemaining: credits.nullable(),
});
export type TeamMember = z.infer<typeof teamMemberSchema>;

export const teamBalanceSchema = balanceSchema.extend({ periodStartsAt: z.string() });

export const teamResponseSchema = z.object({
  team: z.object({ id: z.string(), name: z.string(), tier: tierIdSchema }),
  balance: teamBalanceSchema,
  members: z.array(teamMemberSchema),
});
export type TeamResponse = z.infer<typeof teamResponseSchema>;

// ---------------------------------------------------------------------------------------------------------
// POST /v1/team/members, PATCH /v1/team/members/:id, POST /v1/team/members/:id/token

const monthlyCap = z
  .number()
  .int("must be a whole number of credits")
  .min(0, "must be 0 or more")
  .max(MONTHLY_CAP_MAX, `must be at most ${MONTHLY_CAP_MAX}`)
  .nullable();

export const memberCreateSchema = z.strictObject({
  name: lineText()
    .trim()
    .min(1, "must not be empty")
    .max(MEMBER_NAME_MAX, `must be at most ${MEMBER_NAME_MAX} characters`),
  role: roleSchema.default("member"),
  monthlyCap: monthlyCap.optional(),
});

const PATCHABLE = ["monthlyCap", "role", "disabled"] as const;

/** Strict: a misspelt field must not turn into a silent no-op on someone's access or spending. */
export const memberPatchSchema = z
  .strictObject({
    monthlyCap: monthlyCap.optional(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((p) => PATCHABLE.some((k) => p[k] !== undefined), `must change at least one of ${PATCHABLE.join(", ")}`);
export type MemberPatchBody = z.infer<typeof memberPatchSchema>;

export const memberResponseSchema = z.object({ member: teamMemberSchema });
export type MemberResponse = z.infer<typeof memberResponseSchema>;

/** The token is shown here once; the proxy keeps only its hash. */
export const memberTokenResponseSchema = z.object({ member: teamMemberSchema, token: z.string().min(1) });
export type MemberTokenResponse = z.infer<typeof memberTokenResponseSchema>;

// ---------------------------------------------------------------------------------------------------------
// Query strings: every value arrives as text.

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * `2026-11-01` (midnight UTC) or an ISO date-time with `Z` or an offset, as the database's ISO text
 * (`2026-11-01T00:00:00.000Z`), so it compares with stored times as text; null when it is neither or names a
 * day that does not exist (Date.parse would turn 2026-02-30 into March 2nd).
 */
export function parseInstant(text: string): string | null {
  const date = DATE.exec(text);
  const time = date ? null : DATE_TIME.exec(text);
  const m = date ?? time;
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  if (time && (Number(time[4]) > 23 || Number(time[5]) > 59 || Number(time[6] ?? 0) > 59)) return null;
  const ms = Date.parse(date ? `${text}T00:00:00.000Z` : text);
  if (!Number.isFinite(ms)) return null;
  const iso = new Date(ms).toISOString();
  // An offset can push a time out of years 0000-9999, where it would no longer sort as text.
  return /^\d{4}-/.test(iso) ? iso : null;
}

export const instant = z
  .string()
  .refine((s) => parseInstant(s) !== null, "must be an ISO date (2026-11-01) or date-time (2026-11-01T09:30:00Z)")
  .transform((s) => parseInstant(s) as string);

/** A positive whole number written in a query string. */
export function queryInt(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,9}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

export const queryId = lineText().min(1, "must not be empty").max(100, "must be at most 100 characters");

// ---------------------------------------------------------------------------------------------------------
// GET /v1/ledger

export const LEDGER_PAGE_DEFAULT = 50;
export const LEDGER_PAGE_MAX = 200;

export const entryKindSchema = z.enum(["grant", "hold", "capture", "release", "expire", "adjust"]);

export const ledgerQuerySchema = z.strictObject({
  /** `nextCursor` of the previous page; opaque. */
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "is not a cursor this proxy gave out").optional(),
  limit: queryInt(1, LEDGER_PAGE_MAX).default(LEDGER_PAGE_DEFAULT),
  /** Only the entries of this job ("the entries of a job", docs/ledger.md). */
  job: queryId.optional(),
  /** Only the entries of this member. */
  member: queryId.optional(),
});

export const ledgerEntrySchema = z.object({
  id: z.string(),
  kind: entryKindSchema,
  /** Credits; only an `adjust` may be negative. */
  amount: z.number().int(),
  memberId: z.string().nullable(),
  /** Present when the entry has a member. */
  memberName: z.string().optional(),
  jobId: z.string().nullable(),
  note: z.string().nullable(),
  /** The team's available balance right after this entry (granted - spent - held). */
  availableAfter: z.number().int(),
  createdAt: z.string(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

export const ledgerPageSchema = z.object({
  entries: z.array(ledgerEntrySchema),
  /** Pass as `cursor` for the next, older page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type LedgerPage = z.infer<typeof ledgerPageSchema>;

// ---------------------------------------------------------------------------------------------------------
// GET /v1/usage

export const USAGE_GROUPS = ["member", "operation", "provider", "model", "day", "project"] as const;
export const usageGroupSchema = z.enum(USAGE_GROUPS);
export type UsageGroup = z.infer<typeof usageGroupSchema>;

function groupList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const groupBy = z
  .string()
  .refine(
    (s) => groupList(s).length > 0 && groupList(s).every((g) => (USAGE_GROUPS as readonly string[]).includes(g)),
    `must be one or more of ${USAGE_GROUPS.join(", ")}, comma-separated`,
  )
  // Repeats are dropped; the order given is the order of the columns.
  .transform((s) => [...new Set(groupList(s))] as UsageGroup[]);

/**
 * `from` and `to` bound a half-open range [from, to): a date means midnight UTC, so `to=2026-12-01` ends with
 * the last moment of November. Either left out falls back to the team's current billing period.
 */
export const usageQuerySchema = z
  .strictObject({
    groupBy: groupBy.default(["member"]),
    from: instant.optional(),
    to: instant.optional(),
    /** A manager's filter; a member always sees only their own usage. */
    member: queryId.optional(),
    /** Only the jobs charged to this project. */
    project: queryId.optional(),
    format: z.enum(["json", "csv"]).default("json"),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { path: ["to"], message: "must be after from" });

export const usageTotalsSchema = z.object({
  credits,
  /** Distinct jobs with a capture in the range. */
  jobs: z.number().int().nonnegative(),
  /** Images those jobs delivered. */
  images: z.number().int().nonnegative(),
});
export type UsageTotals = z.infer<typeof usageTotalsSchema>;

/** One group: the key fields named by `groupBy` (others absent), then the totals. */
export const usageRowSchema = usageTotalsSchema.extend({
  memberId: z.string().nullable().optional(),
  memberName: z.string().nullable().optional(),
  /** The catalog's operation key: create, edit.<kind>, upscale.<mode>, social. */
  operation: z.string().nullable().optional(),
  provider: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  /** YYYY-MM-DD (UTC). */
  day: z.string().optional(),
  /** The project the jobs were charged to (null: none). */
  projectId: z.string().nullable().optional(),
  projectName: z.string().nullable().optional(),
});
export type UsageRow = z.infer<typeof usageRowSchema>;

export const usageResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.array(usageGroupSchema),
  /** The member the report is limited to; null for the whole team. */
  member: z.string().nullable(),
  /** The project the report is limited to, when asked. */
  project: z.string().nullable().optional(),
  rows: z.array(usageRowSchema),
  total: usageTotalsSchema,
});
export type UsageResponse = z.infer<typeof usageResponseSchema>;
