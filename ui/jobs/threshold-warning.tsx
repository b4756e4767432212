// Under an action's button: the alert thresholds the job would cross (project-choice.ts crossingWarnings),
// so a manager's 80 % line is seen before the click, not after.
import { crossingWarnings } from "./project-choice.ts";

export function ThresholdWarning({ credits }: { credits: number }) {
  const warnings = crossingWarnings(credits);
  if (warnings.length === 0) return null;
  return (
    <p class="hint hint-warning" data-testid="threshold-warning">
      {warnings.join(" · ")}
    </p>
  );
}
