// GET /v1/insights: cost-saving suggestions computed from the team's own jobs in its current period
// (a member sees their own), each with the credits it would have saved.
import * as z from "zod";

export const INSIGHT_KINDS = ["draft-first", "reuse-identical", "conservative-upscale", "failed-retries"] as const;
export const insightKindSchema = z.enum(INSIGHT_KINDS);
export type InsightKind = z.infer<typeof insightKindSchema>;

export const insightSchema = z.object({
  kind: insightKindSchema,
  title: z.string(),
  /** What to do instead, in a sentence. */
  advice: z.string(),
  /** Jobs that matched the pattern. */
  occurrences: z.number().int().nonnegative(),
  /** Credits the team would have saved this period by following the advice. */
  savedCredits: z.number().int().nonnegative(),
  /** A few of the jobs concerned, newest first. */
  jobIds: z.array(z.string()),
});
export type Insight = z.infer<typeof insightSchema>;

export const insightsResponseSchema = z.object({
  period: z.object({ startsAt: z.string(), endsAt: z.string() }),
  /** Only patterns that occurred, the largest saving first. */
  insights: z.array(insightSchema),
  savedCredits: z.number().int().nonnegative(),
});
export type InsightsResponse = z.infer<typeof insightsResponseSchema>;
