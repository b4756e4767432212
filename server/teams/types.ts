// Teams, members and their tokens: who may call the proxy and on whose balance.
import type { TierId } from "../../core/catalog/schema.ts";
import type { Role } from "../../core/api/responses.ts";

export interface TeamRecord {
  id: string;
  name: string;
  tier: TierId;
  periodStart: string;
  periodEnd: string;
  createdAt: string;
}

export interface MemberRecord {
  id: string;
  teamId: string;
  name: string;
  role: Role;
  /** Credits per billing period; null = no cap. */
  monthlyCap: number | null;
  disabled: boolean;
  createdAt: string;
}

/** The authenticated member and the team it acts for. */
export interface Caller {
  member: MemberRecord;
  team: TeamRecord;
}

export interface NewTeam {
  name: string;
  tier: TierId;
  /** The tier's monthly allocation, granted now and expiring at the period's end; null = unlimited. */
  monthlyCredits: number | null;
  managerName: string;
}

export interface NewMember {
  teamId: string;
  name: string;
  role: Role;
  monthlyCap?: number | null;
}

/** What a manager may change about a member (PATCH /v1/team/members/:id). */
export interface MemberPatch {
  monthlyCap?: number | null;
  role?: Role;
  disabled?: boolean;
}

/** Refused because the team would be left without an active manager; `fields`: the patch's fields that would. */
export class LastManagerError extends Error {
  override name = "LastManagerError";
  constructor(readonly fields: readonly ("role" | "disabled")[]) {
    super("A team needs at least one active manager; make someone else a manager first");
  }
}

export class TeamNotFoundError extends Error {
  override name = "TeamNotFoundError";
  constructor(
    readonly what: "team" | "member",
    readonly id: string,
  ) {
    super(`no ${what} ${id}`);
  }
}

export interface TeamStore {
  /** Team, balance, monthly grant, manager and the manager's token, in one transaction. */
  createTeam(input: NewTeam): Promise<{ team: TeamRecord; manager: MemberRecord; token: string }>;
  addMember(input: NewMember): Promise<{ member: MemberRecord; token: string }>;
  /** Revokes every token of the member and issues a new one. */
  rotateToken(memberId: string): Promise<{ member: MemberRecord; token: string }>;
  /** Applies `patch` in one transaction; throws TeamNotFoundError for an unknown member, LastManagerError
   * when it would demote or disable the team's last active manager. Disabling revokes nothing: a disabled
   * member's tokens simply stop authenticating, and enabling them again restores access. */
  updateMember(memberId: string, patch: MemberPatch): Promise<MemberRecord>;
  /** null for an unknown or revoked token, or a disabled member. */
  callerByToken(token: string): Promise<Caller | null>;
  getTeam(teamId: string): Promise<TeamRecord | null>;
  getMember(memberId: string): Promise<MemberRecord | null>;
  listTeams(): Promise<TeamRecord[]>;
  listMembers(teamId: string): Promise<MemberRecord[]>;
}
