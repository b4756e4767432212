// TeamStore over `Db`. Creating a team opens its balance and grants its first monthly allocation through the
// ledger's primitives in the same transaction, so a team never exists without its ledger.
import { generateToken, hashToken } from "./tokens.ts";
import type { Db, Sql } from "../db/sql.ts";
import { newId } from "../ids.ts";
import { dbNow, grant, openBalance } from "../ledger/ledger-ops.ts";
import { addMonths } from "../ledger/periods.ts";
import {
  LastManagerError,
  TeamNotFoundError,
  type Caller,
  type MemberPatch,
  type MemberRecord,
  type NewMember,
  type NewTeam,
  type TeamRecord,
  type TeamStore,
} from "./types.ts";

interface TeamRow {
  id: string;
  name: string;
  tier: TeamRecord["tier"];
  period_start: string;
  period_end: string;
  created_at: string;
}
interface MemberRow {
  id: string;
  team_id: string;
  name: string;
  role: MemberRecord["role"];
  monthly_cap: number | null;
  disabled: number;
  created_at: string;
}

const MEMBER_COLUMNS = "m.id, m.team_id, m.name, m.role, m.monthly_cap, m.disabled, m.created_at";

const toTeam = (r: TeamRow): TeamRecord => ({
  id: r.id,
  name: r.name,
  tier: r.tier,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  createdAt: r.created_at,
});
const toMember = (r: MemberRow): MemberRecord => ({
  id: r.id,
  teamId: r.team_id,
  name: r.name,
  role: r.role,
  monthlyCap: r.monthly_cap,
  disabled: r.disabled === 1,
  createdAt: r.created_at,
});

export class SqlTeamStore implements TeamStore {
  constructor(private readonly db: Db) {}

  private async issueToken(sql: Sql, memberId: string): Promise<string> {
    const token = generateToken();
    await sql.run("INSERT INTO tokens (token_hash, member_id) VALUES ($1, $2)", [hashToken(token), memberId]);
    return token;
  }

  private async insertMember(sql: Sql, input: NewMember): Promise<MemberRecord> {
    const period = await sql.one<{ period_start: string }>("SELECT period_start FROM teams WHERE id = $1", [input.teamId]);
    if (!period) throw new TeamNotFoundError("team", input.teamId);
    const row = await sql.one<MemberRow>(
      `INSERT INTO members (id, team_id, name, role, monthly_cap, cap_period_start) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING id, team_id, name, role, monthly_cap, disabled, created_at`,
      [newId("mem"), input.teamId, input.name, input.role, input.monthlyCap ?? null, period.period_start],
    );
    return toMember(row!);
  }

  createTeam(input: NewTeam): Promise<{ team: TeamRecord; manager: MemberRecord; token: string }> {
    return this.db.tx(async (sql) => {
      const now = await dbNow(sql);
      const row = await sql.one<TeamRow>(
        "INSERT INTO teams (id, name, tier, period_start, period_end) VALUES ($1, $2, $3, $4, $5) RETURNING *",
        [newId("team"), input.name, input.tier, now, addMonths(now, 1)],
      );
      const team = toTeam(row!);
      await openBalance(sql, team.id, input.monthlyCredits === null);
      if (input.monthlyCredits !== null && input.monthlyCredits > 0)
        await grant(sql, { teamId: team.id, kind: "monthly", amount: input.monthlyCredits, expiresAt: team.periodEnd, note: `${input.tier} monthly allocation` });
      const manager = await this.insertMember(sql, { teamId: team.id, name: input.managerName, role: "manager" });
      return { team, manager, token: await this.issueToken(sql, manager.id) };
    });
  }

  addMember(input: NewMember): Promise<{ member: MemberRecord; token: string }> {
    return this.db.tx(async (sql) => {
      const member = await this.insertMember(sql, input);
      return { member, token: await this.issueToken(sql, member.id) };
    });
  }

  rotateToken(memberId: string): Promise<{ member: MemberRecord; token: string }> {
    return this.db.tx(async (sql) => {
      const row = await sql.one<MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM members m WHERE m.id = $1${sql.dialect.forUpdate}`, [memberId]);
      if (!row) throw new TeamNotFoundError("member", memberId);
      await sql.run(`UPDATE tokens SET revoked_at = ${sql.dialect.now} WHERE member_id = $1 AND revoked_at IS NULL`, [memberId]);
      return { member: toMember(row), token: await this.issueToken(sql, memberId) };
    });
  }

  updateMember(memberId: string, patch: MemberPatch): Promise<MemberRecord> {
    return this.db.tx(async (sql) => {
      const current = await sql.one<MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM members m WHERE m.id = $1`, [memberId]);
      if (!current) throw new TeamNotFoundError("member", memberId);
      // Lock the team's managers so two managers demoting each other at once cannot both succeed.
      const managers = await sql.all<{ id: string }>(
        `SELECT id FROM members WHERE team_id = $1 AND role = 'manager' AND disabled = 0${sql.dialect.forUpdate}`,
        [current.team_id],
      );
      const stillManager = (patch.role ?? current.role) === "manager" && !(patch.disabled ?? current.disabled === 1);
      if (!stillManager && managers.length === 1 && managers[0]!.id === memberId)
        throw new LastManagerError((["role", "disabled"] as const).filter((k) => patch[k] !== undefined));
      const row = await sql.one<MemberRow>(
        `UPDATE members SET
           monthly_cap = (CASE WHEN $2 = 1 THEN $3 ELSE monthly_cap END),
           role = coalesce($4, role),
           disabled = coalesce($5, disabled)
         WHERE id = $1 RETURNING id, team_id, name, role, monthly_cap, disabled, created_at`,
        [
          memberId,
          "monthlyCap" in patch ? 1 : 0,
          patch.monthlyCap ?? null,
          patch.role ?? null,
          patch.disabled === undefined ? null : patch.disabled ? 1 : 0,
        ],
      );
      return toMember(row!);
    });
  }

  async callerByToken(token: string): Promise<Caller | null> {
    const row = await this.db.one<MemberRow & { t_name: string; t_tier: TeamRow["tier"]; t_period_start: string; t_period_end: string; t_created_at: string }>(
      `SELECT ${MEMBER_COLUMNS}, t.name AS t_name, t.tier AS t_tier, t.period_start AS t_period_start, t.period_end AS t_period_end,
              t.created_at AS t_created_at
       FROM tokens k JOIN members m ON m.id = k.member_id JOIN teams t ON t.id = m.team_id
       WHERE k.token_hash = $1 AND k.revoked_at IS NULL AND m.disabled = 0`,
      [hashToken(token)],
    );
    if (!row) return null;
    return {
      member: toMember(row),
      team: { id: row.team_id, name: row.t_name, tier: row.t_tier, periodStart: row.t_period_start, periodEnd: row.t_period_end, createdAt: row.t_created_at },
    };
  }

  async getTeam(teamId: string): Promise<TeamRecord | null> {
    const row = await this.db.one<TeamRow>("SELECT * FROM teams WHERE id = $1", [teamId]);
    return row ? toTeam(row) : null;
  }

  async getMember(memberId: string): Promise<MemberRecord | null> {
    const row = await this.db.one<MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM members m WHERE m.id = $1`, [memberId]);
    return row ? toMember(row) : null;
  }

  async listTeams(): Promise<TeamRecord[]> {
    return (await this.db.all<TeamRow>("SELECT * FROM teams ORDER BY created_at, id")).map(toTeam);
  }

  async listMembers(teamId: string): Promise<MemberRecord[]> {
    return (await this.db.all<MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM members m WHERE m.team_id = $1 ORDER BY m.created_at, m.id`, [teamId])).map(toMember);
  }
}
