// Small helpers to print benchmark figures the same way in every bench file.
export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const i = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[i]!;
}

export function summarize(name: string, samplesMs: number[], wallMs: number): string {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const perSec = (samplesMs.length / wallMs) * 1000;
  return `${name}: ${samplesMs.length} ops in ${wallMs.toFixed(0)} ms = ${perSec.toFixed(0)}/s; p50 ${percentile(sorted, 50).toFixed(3)} ms, p99 ${percentile(sorted, 99).toFixed(3)} ms`;
}
