// When the panel is ready for the designer: the first paint of a view that takes input (Settings, or the
// studios once the catalog and balance are in), as a mark on the panel document's performance timeline,
// whose zero is the navigation start of the iframe the panel loads in. The browser harness reads it and
// holds the panel's work up to it to a budget (test/browser/panel-load.browser.test.ts).
import { useEffect } from "preact/hooks";

export const INTERACTIVE_MARK = "panel-interactive";

export type InteractiveView = "settings" | "studios";

/** Marks the first time a view that takes input is shown; Preact runs effects after the frame that painted it. */
export function useInteractiveMark(view: InteractiveView | null): void {
  useEffect(() => {
    if (view && performance.getEntriesByName(INTERACTIVE_MARK).length === 0) performance.mark(INTERACTIVE_MARK, { detail: view });
  }, [view]);
}
