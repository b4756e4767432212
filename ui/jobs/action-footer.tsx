// A studio's footer: where the result goes, any choice that changes the price (reuse or make a new one),
// the one action button carrying its price, why it is disabled, and the running job's status or error.
import type { ComponentChildren } from "preact";
import { ErrorMessage } from "../widgets/error-message.tsx";
import type { Badge } from "./badge.ts";
import { BatchItems } from "./batch-items.tsx";
import { CostBadge } from "./cost-badge.tsx";
import { JobStatus } from "./job-status.tsx";
import type { JobState } from "./use-job.ts";
import { ThresholdWarning } from "./threshold-warning.tsx";

export interface ActionFooterProps {
  /** Test id of the button; its hint is `${id}-hint`. */
  id: string;
  label: string;
  busyLabel: string;
  /** Where the result will go. */
  where: string;
  badge: Badge;
  job: JobState;
  onRun(): void;
  /** Shown above the button. */
  children?: ComponentChildren;
}

export function ActionFooter({ id, label, busyLabel, where, badge, job, onRun, children }: ActionFooterProps) {
  const hintId = `${id}-hint`;
  return (
    <div class="footer">
      <p class="muted">{where}</p>
      {children}
      <button
        type="button"
        class="button generate"
        data-testid={id}
        disabled={!badge.enabled || job.running}
        onClick={onRun}
        aria-describedby={badge.hint ? hintId : undefined}
      >
        <span>{job.running ? busyLabel : label}</span>
        <CostBadge badge={badge} />
      </button>
      {badge.hint && (
        <p id={hintId} class={`hint hint-${badge.state}`}>
          {badge.hint}
        </p>
      )}
      {badge.enabled && !job.running && <ThresholdWarning credits={badge.credits} />}
      {job.run && <JobStatus run={job.run} />}
      {job.items && <BatchItems items={job.items} cancel={job.cancel} />}
      {job.error && <ErrorMessage message={job.error} />}
    </div>
  );
}
