// How full something is (a member's cap), as a bar; nothing when there is no limit to fill.

/** `percent`: 0..100, null for no limit. Any use at all stays visible; a full meter is marked. */
export function Meter({ percent }: { percent: number | null }) {
  if (percent === null) return null;
  return (
    <div class="track" aria-hidden="true">
      <div class={`fill${percent >= 100 ? " full" : ""}`} style={{ width: `${Math.max(percent, percent > 0 ? 2 : 0)}%` }} />
    </div>
  );
}
