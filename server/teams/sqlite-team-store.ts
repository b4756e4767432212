// TeamStore on SQLite. Creating a team opens its balance and grants its first monthly allocation through the
// ledger's primitives, in the same transaction, so a team never exists without its ledger.
import type { SqliteDatabase } from "../db/open-sqlite.ts";
import { generateToken, hashToken } from "../auth/tokens.ts";
import { newId } from "../ids.ts";
import type { SqliteLedgerOps } from "../ledger/sqlite-ledger-ops.ts";
import { TeamNotFoundError, type Caller, type MemberRecord, type NewMember, type NewTeam, type TeamRecord, type TeamStore } from "./types.ts";

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

export class SqliteTeamStore implements TeamStore {
  private readonly stmts;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly ledger: SqliteLedgerOps,
  ) {
    this.stmts = {
      insertTeam: db.prepare<{ id: string; name: string; tier: string }, TeamRow>(
        `INSERT INTO teams (id, name, tier, period_start, period_end)
         VALUES (@id, @name, @tier, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+1 month'))
         RETURNING *`,
      ),
      insertMember: db.prepare<{ id: string; teamId: string; name: string; role: string; monthlyCap: number | null }, MemberRow>(
        `INSERT INTO members (id, team_id, name, role, monthly_cap) VALUES (@id, @teamId, @name, @role, @monthlyCap) RETURNING *`,
      ),
      insertToken: db.prepare<[string, string]>("INSERT INTO tokens (token_hash, member_id) VALUES (?, ?)"),
      revokeTokens: db.prepare<[string]>(
        "UPDATE tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE member_id = ? AND revoked_at IS NULL",
      ),
      caller: db.prepare<[string], MemberRow & { t_name: string; t_tier: TeamRow["tier"]; t_period_start: string; t_period_end: string; t_created_at: string }>(
        `SELECT m.*, t.name AS t_name, t.tier AS t_tier, t.period_start AS t_period_start, t.period_end AS t_period_end,
                t.created_at AS t_created_at
         FROM tokens k JOIN members m ON m.id = k.member_id JOIN teams t ON t.id = m.team_id
         WHERE k.token_hash = ? AND k.revoked_at IS NULL AND m.disabled = 0`,
      ),
      team: db.prepare<[string], TeamRow>("SELECT * FROM teams WHERE id = ?"),
      teams: db.prepare<[], TeamRow>("SELECT * FROM teams ORDER BY created_at, rowid"),
      member: db.prepare<[string], MemberRow>("SELECT * FROM members WHERE id = ?"),
      members: db.prepare<[string], MemberRow>("SELECT * FROM members WHERE team_id = ? ORDER BY created_at, rowid"),
    };
  }

  private issueToken(memberId: string): string {
    const token = generateToken();
    this.stmts.insertToken.run(hashToken(token), memberId);
    return token;
  }

  private insertMember(input: NewMember): MemberRecord {
    return toMember(
      this.stmts.insertMember.get({
        id: newId("mem"),
        teamId: input.teamId,
        name: input.name,
        role: input.role,
        monthlyCap: input.monthlyCap ?? null,
      })!,
    );
  }

  async createTeam(input: NewTeam): Promise<{ team: TeamRecord; manager: MemberRecord; token: string }> {
    return this.db
      .transaction(() => {
        const team = toTeam(this.stmts.insertTeam.get({ id: newId("team"), name: input.name, tier: input.tier })!);
        this.ledger.openBalance(team.id, input.monthlyCredits === null);
        if (input.monthlyCredits !== null && input.monthlyCredits > 0)
          this.ledger.grant({ teamId: team.id, kind: "monthly", amount: input.monthlyCredits, expiresAt: team.periodEnd, note: `${input.tier} monthly allocation` });
        const manager = this.insertMember({ teamId: team.id, name: input.managerName, role: "manager" });
        return { team, manager, token: this.issueToken(manager.id) };
      })
      .immediate();
  }

  async addMember(input: NewMember): Promise<{ member: MemberRecord; token: string }> {
    return this.db
      .transaction(() => {
        if (!this.stmts.team.get(input.teamId)) throw new TeamNotFoundError(`no team ${input.teamId}`);
        const member = this.insertMember(input);
        return { member, token: this.issueToken(member.id) };
      })
      .immediate();
  }

  async rotateToken(memberId: string): Promise<{ member: MemberRecord; token: string }> {
    return this.db
      .transaction(() => {
        const row = this.stmts.member.get(memberId);
        if (!row) throw new TeamNotFoundError(`no member ${memberId}`);
        this.stmts.revokeTokens.run(memberId);
        return { member: toMember(row), token: this.issueToken(memberId) };
      })
      .immediate();
  }

  async callerByToken(token: string): Promise<Caller | null> {
    const row = this.stmts.caller.get(hashToken(token));
    if (!row) return null;
    return {
      member: toMember(row),
      team: { id: row.team_id, name: row.t_name, tier: row.t_tier, periodStart: row.t_period_start, periodEnd: row.t_period_end, createdAt: row.t_created_at },
    };
  }

  async getTeam(teamId: string): Promise<TeamRecord | null> {
    const row = this.stmts.team.get(teamId);
    return row ? toTeam(row) : null;
  }

  async getMember(memberId: string): Promise<MemberRecord | null> {
    const row = this.stmts.member.get(memberId);
    return row ? toMember(row) : null;
  }

  async listTeams(): Promise<TeamRecord[]> {
    return this.stmts.teams.all().map(toTeam);
  }

  async listMembers(teamId: string): Promise<MemberRecord[]> {
    return this.stmts.members.all(teamId).map(toMember);
  }
}
