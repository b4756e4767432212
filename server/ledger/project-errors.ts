// Why a hold charged to a project was refused (docs/ledger.md invariant 10). Domain errors; only
// http/domain-errors.ts turns them into docs/api.md's codes.

/** The project's budget cannot take the hold: its held + spent in its period would exceed the budget. */
export class ProjectBudgetReachedError extends Error {
  override name = "ProjectBudgetReachedError";
  constructor(
    readonly projectId: string,
    readonly projectName: string,
    readonly budget: number,
    readonly remaining: number,
    readonly needed: number,
  ) {
    super(`Project ${projectName} has ${remaining} credits left of its budget of ${budget}; this needs ${needed}`);
  }
}

/** No such project in the caller's team (404), or it is archived (refused: 400). */
export class ProjectUnavailableError extends Error {
  override name = "ProjectUnavailableError";
  constructor(
    readonly projectId: string,
    readonly why: "unknown" | "archived",
  ) {
    super(why === "unknown" ? "No such project in your team" : "This project is archived; pick another one");
  }
}
