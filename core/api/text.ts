// Text the API accepts. A NUL or another control character in a name, a prompt or an id is never something a
// person typed: PostgreSQL refuses NUL in text (so a request would fail only after its provider call was
// paid), a prompt would reach a provider with it, a name would break a CSV or a log line. So every text field
// of every body and query is checked here, once: no C0 control characters (U+0000..U+001F), no DEL (U+007F),
// no C1 controls (U+0080..U+009F), and no lone UTF-16 surrogate (not text at all: it cannot be stored as
// UTF-8). Multi-line fields (prompts) keep tab, line feed and carriage return.
import * as z from "zod";

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;

/** What is wrong with `text`, or null: the first control character or lone surrogate, and where. */
export function textProblem(text: string, multiline: boolean): string | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      if (multiline && (c === 0x09 || c === 0x0a || c === 0x0d)) continue;
      const kind = c === 0x09 || c === 0x0a || c === 0x0d ? "a tab or line break" : `the control character ${hex(c)}`;
      return `must not contain ${kind} (at ${i})`;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return `must be valid Unicode text (a lone surrogate ${hex(c)} at ${i})`;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return `must be valid Unicode text (a lone surrogate ${hex(c)} at ${i})`;
  }
  return null;
}

const checked = (multiline: boolean) => (text: string, ctx: z.RefinementCtx) => {
  const problem = textProblem(text, multiline);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
};

/** One line of text: a name, an id, a search term. Checked before any trim, so "Bo\n" is refused too. */
export const lineText = () => z.string().superRefine(checked(false));

/** Text that may span lines: a prompt. */
export const multilineText = () => z.string().superRefine(checked(true));
