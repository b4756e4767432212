// The managers' controls as stored (docs/api.md "Projects, roles and alerts"): projects and their budgets,
// the team's role policy, thresholds, the webhook (URL and signing secret), and alerts. Money never moves
// here: a project's counters are moved by the ledger's holds and captures (ledger-ops.ts), and alerts are
// recorded by the hold's transaction (alert-ops.ts); this store creates, lists, changes and acknowledges.
import { randomBytes } from "node:crypto";
import { MAX_ACTIVE_PROJECTS, MAX_THRESHOLDS, type Alert, type Project, type RoleRulesBody, type Threshold } from "../../core/api/managers.ts";
import type { Db, Sql } from "../db/sql.ts";
import { newId } from "../ids.ts";
import type { AlertScope } from "../ledger/alert-ops.ts";
import { ProjectUnavailableError } from "../ledger/project-errors.ts";
import { budgetRemaining, projectSpentIn } from "../ledger/project-spend.ts";
import { roleLimits } from "../jobs/hold-context.ts";
import type { RoleLimits } from "../../core/estimate.ts";

export type BudgetKind = "monthly" | "once";
export type RoleName = "member" | "manager";

interface ProjectRow {
  id: string;
  name: string;
  budget: number | null;
  budget_kind: BudgetKind;
  spent: number;
  held: number;
  archived_at: string | null;
  created_at: string;
}

const toProject = (r: ProjectRow): Project => {
  const figures = { budget: r.budget === null ? null : Number(r.budget), spent: Number(r.spent), held: Number(r.held) };
  return {
    id: r.id,
    name: r.name,
    budgetKind: r.budget_kind,
    ...figures,
    remaining: budgetRemaining(figures),
    archived: r.archived_at !== null,
    createdAt: r.created_at,
  };
};

interface AlertRow {
  id: string;
  scope: AlertScope;
  target_id: string;
  target_name: string;
  percent: number;
  used: number;
  base: number;
  period_start: string;
  created_at: string;
  acknowledged_at: string | null;
}
const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  scope: r.scope,
  targetId: r.target_id,
  targetName: r.target_name,
  percent: Number(r.percent),
  used: Number(r.used),
  base: Number(r.base),
  periodStart: r.period_start,
  createdAt: r.created_at,
  acknowledgedAt: r.acknowledged_at,
});

export interface ProjectPatch {
  name?: string;
  budget?: number | null;
  budgetKind?: BudgetKind;
}

/** A webhook as the dispatcher needs it; the secret never leaves the proxy except once, to the manager. */
export interface WebhookTarget {
  url: string;
  secret: string;
}

/** The team already has as many active projects or thresholds as it may (the bounds in core/api/managers.ts). */
export class ControlsLimitError extends Error {
  override name = "ControlsLimitError";
  constructor(
    readonly what: "projects" | "thresholds",
    readonly max: number,
  ) {
    super(what === "projects" ? `A team may have at most ${max} active projects; archive one first` : `A team may have at most ${max} alert thresholds; remove one first`);
  }
}

export class SqlManagerStore {
  constructor(private readonly db: Db) {}

  private projectColumns(period: string): string {
    return `id, name, budget, budget_kind, ${projectSpentIn(period)} AS spent, held, archived_at, created_at`;
  }

  async createProject(teamId: string, periodStart: string, input: { name: string; budget: number | null; budgetKind: BudgetKind }): Promise<Project> {
    // Counted under the team's balance lock, so racing creations cannot pass the bound together.
    return this.db.tx(async (sql) => {
      await sql.one(`SELECT team_id FROM balances WHERE team_id = $1${sql.dialect.forUpdate}`, [teamId]);
      const active = await sql.one<{ n: number }>("SELECT count(*) AS n FROM projects WHERE team_id = $1 AND archived_at IS NULL", [teamId]);
      if (Number(active?.n ?? 0) >= MAX_ACTIVE_PROJECTS) throw new ControlsLimitError("projects", MAX_ACTIVE_PROJECTS);
      const row = await sql.one<ProjectRow>(
        `INSERT INTO projects (id, team_id, name, budget, budget_kind, spent_period_start) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING ${this.projectColumns("$6")}`,
        [newId("prj"), teamId, input.name, input.budget, input.budgetKind, periodStart],
      );
      return toProject(row!);
    });
  }

  async listProjects(teamId: string, periodStart: string, includeArchived = false): Promise<Project[]> {
    const rows = await this.db.all<ProjectRow>(
      `SELECT ${this.projectColumns("$2")} FROM projects WHERE team_id = $1 AND ($3 = 1 OR archived_at IS NULL) ORDER BY created_at, id`,
      [teamId, periodStart, includeArchived ? 1 : 0],
    );
    return rows.map(toProject);
  }

  async getProject(teamId: string, projectId: string, periodStart: string, sql: Sql = this.db): Promise<Project | null> {
    const row = await sql.one<ProjectRow>(`SELECT ${this.projectColumns("$3")} FROM projects WHERE id = $1 AND team_id = $2`, [projectId, teamId, periodStart]);
    return row ? toProject(row) : null;
  }

  /**
   * Renames a project or changes its budget. A lower budget refuses the holds that no longer fit, never the
   * ones already made. A change of kind recounts the spend from the entries in the same transaction (monthly:
   * this period's captures; once: all of them), under the team's balance lock so no hold moves it meanwhile.
   */
  async updateProject(teamId: string, projectId: string, periodStart: string, patch: ProjectPatch): Promise<Project> {
    return this.db.tx(async (sql) => {
      await sql.one(`SELECT team_id FROM balances WHERE team_id = $1${sql.dialect.forUpdate}`, [teamId]);
      const current = await this.getProject(teamId, projectId, periodStart, sql);
      if (!current) throw new ProjectUnavailableError(projectId, "unknown");
      if (patch.name !== undefined) await sql.run("UPDATE projects SET name = $2 WHERE id = $1", [projectId, patch.name]);
      if (patch.budget !== undefined) await sql.run("UPDATE projects SET budget = $2 WHERE id = $1", [projectId, patch.budget]);
      if (patch.budgetKind !== undefined && patch.budgetKind !== current.budgetKind) {
        const spent = await sql.one<{ spent: number }>(
          `SELECT coalesce(sum(e.amount), 0) AS spent FROM entries e JOIN holds h ON h.id = e.hold_id
           WHERE e.kind = 'capture' AND h.project_id = $1 AND ($2 = 'once' OR e.period_start = $3)`,
          [projectId, patch.budgetKind, periodStart],
        );
        await sql.run("UPDATE projects SET budget_kind = $2, period_spent = $3, spent_period_start = $4 WHERE id = $1", [
          projectId,
          patch.budgetKind,
          Number(spent?.spent ?? 0),
          periodStart,
        ]);
      }
      return (await this.getProject(teamId, projectId, periodStart, sql))!;
    });
  }

  /** Archived: no new job may be charged to it; its jobs and assets keep it, and its running holds resolve. */
  async archiveProject(teamId: string, projectId: string, periodStart: string): Promise<Project> {
    await this.db.run(`UPDATE projects SET archived_at = coalesce(archived_at, ${this.db.dialect.now}) WHERE id = $1 AND team_id = $2`, [projectId, teamId]);
    const project = await this.getProject(teamId, projectId, periodStart);
    if (!project) throw new ProjectUnavailableError(projectId, "unknown");
    return project;
  }

  async policy(teamId: string): Promise<Record<RoleName, RoleRulesBody | null>> {
    const rows = await this.db.all<{ role: RoleName; rules: string }>("SELECT role, rules FROM role_policies WHERE team_id = $1", [teamId]);
    const policy: Record<RoleName, RoleRulesBody | null> = { member: null, manager: null };
    for (const r of rows) policy[r.role] = JSON.parse(r.rules) as RoleRulesBody;
    return policy;
  }

  /** Sets a role's rules (null: no restriction). Read by every later hold's transaction. */
  async setRoleRules(teamId: string, role: RoleName, rules: RoleRulesBody | null): Promise<void> {
    if (rules === null) {
      await this.db.run("DELETE FROM role_policies WHERE team_id = $1 AND role = $2", [teamId, role]);
      return;
    }
    await this.db.run(
      `INSERT INTO role_policies (team_id, role, rules) VALUES ($1, $2, $3)
       ON CONFLICT (team_id, role) DO UPDATE SET rules = excluded.rules, updated_at = ${this.db.dialect.now}`,
      [teamId, role, JSON.stringify(rules)],
    );
  }

  /** The caller's role rules as a hold reads them (for GET /v1/me and estimates: the badge's reason). */
  roleLimits(memberId: string): Promise<RoleLimits | null> {
    return roleLimits(this.db, memberId);
  }

  async thresholds(teamId: string): Promise<Threshold[]> {
    const rows = await this.db.all<{ id: string; scope: AlertScope; target_id: string; percent: number; created_at: string }>(
      "SELECT id, scope, target_id, percent, created_at FROM alert_thresholds WHERE team_id = $1 ORDER BY scope, target_id, percent",
      [teamId],
    );
    return rows.map((r) => ({ id: r.id, scope: r.scope, targetId: r.target_id || null, percent: Number(r.percent), createdAt: r.created_at }));
  }

  /** Adds a threshold; the same one again returns the existing one. At most MAX_THRESHOLDS per team. */
  async addThreshold(teamId: string, input: { scope: AlertScope; targetId: string | null; percent: number }): Promise<Threshold> {
    const same = (t: Threshold) => t.scope === input.scope && (t.targetId ?? "") === (input.targetId ?? "") && t.percent === input.percent;
    await this.db.tx(async (sql) => {
      await sql.one(`SELECT team_id FROM balances WHERE team_id = $1${sql.dialect.forUpdate}`, [teamId]);
      const existing = await sql.all<{ scope: AlertScope; target_id: string; percent: number }>("SELECT scope, target_id, percent FROM alert_thresholds WHERE team_id = $1", [teamId]);
      if (existing.some((r) => r.scope === input.scope && r.target_id === (input.targetId ?? "") && Number(r.percent) === input.percent)) return;
      if (existing.length >= MAX_THRESHOLDS) throw new ControlsLimitError("thresholds", MAX_THRESHOLDS);
      await sql.run("INSERT INTO alert_thresholds (id, team_id, scope, target_id, percent) VALUES ($1, $2, $3, $4, $5)", [
        newId("thr"),
        teamId,
        input.scope,
        input.targetId ?? "",
        input.percent,
      ]);
    });
    return (await this.thresholds(teamId)).find(same)!;
  }

  /** true when it was the team's. Alerts it fired stay (they happened). */
  async deleteThreshold(teamId: string, id: string): Promise<boolean> {
    return (await this.db.run("DELETE FROM alert_thresholds WHERE id = $1 AND team_id = $2", [id, teamId])) === 1;
  }

  async webhook(teamId: string): Promise<{ url: string; updatedAt: string } | null> {
    const row = await this.db.one<{ url: string; updated_at: string }>("SELECT url, updated_at FROM webhooks WHERE team_id = $1", [teamId]);
    return row ? { url: row.url, updatedAt: row.updated_at } : null;
  }

  /** Sets the URL with a new signing secret (32 random bytes, hex), returned once. */
  async setWebhook(teamId: string, url: string): Promise<{ url: string; updatedAt: string; secret: string }> {
    const secret = `whsec_${randomBytes(32).toString("hex")}`;
    const row = await this.db.one<{ url: string; updated_at: string }>(
      `INSERT INTO webhooks (team_id, url, secret) VALUES ($1, $2, $3)
       ON CONFLICT (team_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, updated_at = ${this.db.dialect.now}
       RETURNING url, updated_at`,
      [teamId, url, secret],
    );
    return { url: row!.url, updatedAt: row!.updated_at, secret };
  }

  async deleteWebhook(teamId: string): Promise<void> {
    await this.db.run("DELETE FROM webhooks WHERE team_id = $1", [teamId]);
  }

  /** The URL and secret a delivery signs with (the dispatcher's). */
  async webhookTarget(teamId: string): Promise<WebhookTarget | null> {
    return (await this.db.one<WebhookTarget>("SELECT url, secret FROM webhooks WHERE team_id = $1", [teamId])) ?? null;
  }

  /** Alerts not acknowledged yet (the managers' banner), newest first; `all`: acknowledged ones too. */
  async alerts(teamId: string, all = false, limit = 100): Promise<Alert[]> {
    const rows = await this.db.all<AlertRow>(
      `SELECT id, scope, target_id, target_name, percent, used, base, period_start, created_at, acknowledged_at FROM alerts
       WHERE team_id = $1 AND ($2 = 1 OR acknowledged_at IS NULL) ORDER BY created_at DESC, id LIMIT $3`,
      [teamId, all ? 1 : 0, limit],
    );
    return rows.map(toAlert);
  }

  /** Acknowledges an alert (it leaves the banner); null when the team has no such alert. */
  async acknowledge(teamId: string, alertId: string, memberId: string): Promise<Alert | null> {
    const row = await this.db.one<AlertRow>(
      `UPDATE alerts SET acknowledged_at = coalesce(acknowledged_at, ${this.db.dialect.now}), acknowledged_by = coalesce(acknowledged_by, $3)
       WHERE id = $1 AND team_id = $2
       RETURNING id, scope, target_id, target_name, percent, used, base, period_start, created_at, acknowledged_at`,
      [alertId, teamId, memberId],
    );
    return row ? toAlert(row) : null;
  }
}
