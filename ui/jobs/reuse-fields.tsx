// The seed (in a small "Advanced" disclosure) and, when the server found an identical earlier job, the
// choice to make a new one instead of reusing it: shared by Create, Edit and Upscale.
import type { ComponentChildren } from "preact";
import "../studio-extras.css";
import { CheckField, Field } from "../widgets/field.tsx";
import { creditsText } from "./badge.ts";
import { seedProblem } from "./reuse-check.ts";

export interface AdvancedProps {
  /** Prefix of the fields' ids: `${id}-seed`. */
  id: string;
  seed: string;
  onSeed(seed: string): void;
  open?: boolean;
  onToggle?(open: boolean): void;
  children?: ComponentChildren;
}

/** A native <details>: its summary is a keyboard stop that opens and closes it with Enter or Space. */
export function Advanced({ id, seed, onSeed, open, onToggle, children }: AdvancedProps) {
  return (
    <details class="disclosure" data-testid={`${id}-advanced`} open={open} onToggle={(e) => onToggle?.(e.currentTarget.open)}>
      <summary>Advanced{seed.trim() ? ` · seed ${seed.trim()}` : ""}</summary>
      {children}
      <Field id={`${id}-seed`} label="Seed" error={seedProblem(seed)} hint="Same seed and settings, same image">
        <input type="text" inputMode="numeric" autoComplete="off" value={seed} placeholder="Random" onInput={(e) => onSeed(e.currentTarget.value)} />
      </Field>
    </details>
  );
}

/** "Make a new one instead (N credits)": `price` is what the fresh job costs. */
export function ReuseChoice({ id, fresh, price, onChange }: { id: string; fresh: boolean; price: number; onChange(fresh: boolean): void }) {
  return (
    <CheckField
      id={`${id}-fresh`}
      label={`Make a new one instead (${creditsText(price)})`}
      hint={fresh ? null : "An identical earlier job's results, for 0 credits"}
      checked={fresh}
      onChange={onChange}
    />
  );
}
