// Where a job is: queued, n of m made, being placed, done or failed (data-status says which).
export type RunStatus = "starting" | "queued" | "running" | "placing" | "succeeded" | "failed";

export interface Run {
  status: RunStatus;
  text: string;
  /** Completed fraction while running, for the bar. */
  fraction?: number;
}

export function JobStatus({ run }: { run: Run }) {
  const active = run.status !== "succeeded" && run.status !== "failed";
  return (
    <div class={`job-status job-status-${run.status}`} data-testid="job-status" data-status={run.status} role="status" aria-live="polite">
      <span>{run.text}</span>
      {active && (
        <div class="progress" aria-hidden="true">
          <div class="progress-bar" style={{ width: `${Math.round((run.fraction ?? 0) * 100)}%` }} />
        </div>
      )}
    </div>
  );
}
