// What figma.commitUndo() divides. plugin-api.d.ts, PluginAPI.commitUndo: "By default, plugin actions are
// not committed to undo history. Call `figma.commitUndo()` so that triggered undos can revert a subset of
// plugin actions." The log keeps, per step, which nodes were created, changed and removed, so a test can
// assert that one job made one undo step.

export interface UndoStep {
  created: string[];
  changed: string[];
  removed: string[];
}

export class UndoLog {
  /** How many times the plugin called figma.commitUndo(), empty commits included. */
  commits = 0;
  /** The committed steps that hold at least one change, oldest first. */
  readonly steps: UndoStep[] = [];
  private created = new Set<string>();
  private changed = new Set<string>();
  private removed = new Set<string>();

  noteCreated(id: string): void {
    this.created.add(id);
  }
  noteChanged(id: string): void {
    if (!this.created.has(id)) this.changed.add(id);
  }
  noteRemoved(id: string): void {
    this.removed.add(id);
  }

  commit(): void {
    this.commits++;
    const step = this.pending();
    if (step.created.length + step.changed.length + step.removed.length > 0) this.steps.push(step);
    this.reset();
  }

  /** The changes since the last commit (Figma undoes them together if nothing commits them). */
  pending(): UndoStep {
    return { created: [...this.created], changed: [...this.changed], removed: [...this.removed] };
  }

  /** Forgets everything, e.g. after a test has built its scene. */
  clear(): void {
    this.commits = 0;
    this.steps.length = 0;
    this.reset();
  }

  private reset(): void {
    this.created = new Set();
    this.changed = new Set();
    this.removed = new Set();
  }
}
