// `ledger verify`: recomputes every stored figure from the append-only entries and the holds, and reports
// each disagreement. The entries are the truth (docs/ledger.md invariant 2); balances, grant remainders and
// member counters are caches of them kept in the same transactions, so any drift is a bug.
import type { Sql } from "../db/sql.ts";
import { spentInPeriod } from "./member-spend.ts";
import { projectSpentIn } from "./project-spend.ts";
import type { Drift } from "./types.ts";

interface TeamFigures {
  team_id: string;
  unlimited: number;
  granted: number;
  spent: number;
  held: number;
  period_start: string;
}

export async function verifyLedger(sql: Sql): Promise<Drift[]> {
  const drift: Drift[] = [];
  const expect = (teamId: string, what: string, stored: number, expected: number) => {
    if (stored !== expected) drift.push({ teamId, what, stored, expected });
  };
  const teams = await sql.all<TeamFigures>(
    "SELECT b.team_id, b.unlimited, b.granted, b.spent, b.held, t.period_start FROM balances b JOIN teams t ON t.id = b.team_id ORDER BY b.team_id",
  );
  const sums = new Map<string, Record<string, number>>();
  for (const r of await sql.all<{ team_id: string; kind: string; on_grant: number; on_hold: number; total: number }>(
    `SELECT team_id, kind, (CASE WHEN grant_id IS NULL THEN 0 ELSE 1 END) AS on_grant, (CASE WHEN hold_id IS NULL THEN 0 ELSE 1 END) AS on_hold,
            coalesce(sum(amount), 0) AS total
     FROM entries GROUP BY team_id, kind, (CASE WHEN grant_id IS NULL THEN 0 ELSE 1 END), (CASE WHEN hold_id IS NULL THEN 0 ELSE 1 END)`,
  )) {
    const s = sums.get(r.team_id) ?? {};
    const key = r.kind === "expire" ? (r.on_hold ? "expire-hold" : "expire-grant") : r.kind;
    s[key] = (s[key] ?? 0) + r.total;
    sums.set(r.team_id, s);
  }
  const pendingByTeam = new Map(
    (await sql.all<{ team_id: string; held: number }>("SELECT team_id, coalesce(sum(amount), 0) AS held FROM holds WHERE state = 'pending' GROUP BY team_id")).map((r) => [r.team_id, r.held]),
  );
  const remainingByTeam = new Map(
    (await sql.all<{ team_id: string; remaining: number }>("SELECT team_id, coalesce(sum(remaining), 0) AS remaining FROM grants GROUP BY team_id")).map((r) => [r.team_id, r.remaining]),
  );
  const lastAvailable = new Map(
    (
      await sql.all<{ team_id: string; available_after: number }>(
        "SELECT e.team_id, e.available_after FROM entries e WHERE e.seq = (SELECT max(seq) FROM entries x WHERE x.team_id = e.team_id)",
      )
    ).map((r) => [r.team_id, r.available_after]),
  );

  for (const t of teams) {
    const s = sums.get(t.team_id) ?? {};
    const v = (k: string) => s[k] ?? 0;
    const granted = v("grant") + v("adjust") - v("expire-grant");
    const spent = v("capture");
    const held = v("hold") - v("capture") - v("release") - v("expire-hold");
    expect(t.team_id, "balance.granted", t.granted, granted);
    expect(t.team_id, "balance.spent", t.spent, spent);
    expect(t.team_id, "balance.held", t.held, held);
    expect(t.team_id, "pending holds", t.held, pendingByTeam.get(t.team_id) ?? 0);
    if (lastAvailable.has(t.team_id)) expect(t.team_id, "last entry's available_after", lastAvailable.get(t.team_id)!, t.granted - t.spent - t.held);
    if (t.unlimited === 0) {
      expect(t.team_id, "grants' remaining", remainingByTeam.get(t.team_id) ?? 0, t.granted - t.spent);
      if (t.granted - t.spent - t.held < 0) drift.push({ teamId: t.team_id, what: "available below zero", stored: t.granted - t.spent - t.held, expected: 0 });
    }
  }

  // Each hold resolved once and consistently: captured + returned = amount.
  for (const h of await sql.all<{ team_id: string; id: string; amount: number; state: string; captured: number; moved: number }>(
    `SELECT h.team_id, h.id, h.amount, h.state, h.captured,
            coalesce((SELECT sum(e.amount) FROM entries e WHERE e.hold_id = h.id AND e.kind IN ('capture', 'release', 'expire')), 0) AS moved
     FROM holds h WHERE h.state != 'pending' AND coalesce((SELECT sum(e.amount) FROM entries e WHERE e.hold_id = h.id AND e.kind IN ('capture', 'release', 'expire')), 0) != h.amount`,
  ))
    drift.push({ teamId: h.team_id, what: `hold ${h.id} (${h.state}) resolved entries`, stored: h.moved, expected: h.amount });

  // Member counters: held = their pending holds; spent this period = their captures written in this period.
  // One grouped pass over holds and one over entries (no per-member lookups, so no index is kept for it).
  const pendingByMember = new Map(
    (await sql.all<{ member_id: string; held: number }>(
      "SELECT member_id, coalesce(sum(amount), 0) AS held FROM holds WHERE state = 'pending' AND member_id IS NOT NULL GROUP BY member_id",
    )).map((r) => [r.member_id, r.held]),
  );
  const capturedByMember = new Map(
    (await sql.all<{ member_id: string; period_start: string; spent: number }>(
      `SELECT member_id, period_start, coalesce(sum(amount), 0) AS spent FROM entries
       WHERE kind = 'capture' AND member_id IS NOT NULL GROUP BY member_id, period_start`,
    )).map((r) => [`${r.member_id} ${r.period_start}`, r.spent]),
  );
  for (const m of await sql.all<{ team_id: string; id: string; held: number; spent: number; period_start: string }>(
    `SELECT m.team_id, m.id, m.held, ${spentInPeriod("t.period_start", "m.")} AS spent, t.period_start
     FROM members m JOIN teams t ON t.id = m.team_id`,
  )) {
    expect(m.team_id, `member ${m.id} held`, m.held, pendingByMember.get(m.id) ?? 0);
    expect(m.team_id, `member ${m.id} spent this period`, m.spent, capturedByMember.get(`${m.id} ${m.period_start}`) ?? 0);
  }
  drift.push(...(await verifyProjects(sql)));
  return drift;
}

/** Project counters (invariant 10): held = their pending holds; spent = their captures in the team's period
 * (monthly budgets) or ever (one-off budgets). */
async function verifyProjects(sql: Sql): Promise<Drift[]> {
  const drift: Drift[] = [];
  const pending = new Map(
    (await sql.all<{ project_id: string; held: number }>(
      "SELECT project_id, coalesce(sum(amount), 0) AS held FROM holds WHERE state = 'pending' AND project_id IS NOT NULL GROUP BY project_id",
    )).map((r) => [r.project_id, Number(r.held)]),
  );
  const captured = await sql.all<{ project_id: string; period_start: string | null; spent: number }>(
    `SELECT h.project_id, e.period_start, coalesce(sum(e.amount), 0) AS spent FROM entries e JOIN holds h ON h.id = e.hold_id
     WHERE e.kind = 'capture' AND h.project_id IS NOT NULL GROUP BY h.project_id, e.period_start`,
  );
  for (const p of await sql.all<{ team_id: string; id: string; held: number; spent: number; kind: string; period_start: string }>(
    `SELECT p.team_id, p.id, p.held, ${projectSpentIn("t.period_start", "p.")} AS spent, p.budget_kind AS kind, t.period_start
     FROM projects p JOIN teams t ON t.id = p.team_id`,
  )) {
    const expected = captured.filter((c) => c.project_id === p.id && (p.kind === "once" || c.period_start === p.period_start)).reduce((n, c) => n + Number(c.spent), 0);
    if (Number(p.held) !== (pending.get(p.id) ?? 0)) drift.push({ teamId: p.team_id, what: `project ${p.id} held`, stored: Number(p.held), expected: pending.get(p.id) ?? 0 });
    if (Number(p.spent) !== expected) drift.push({ teamId: p.team_id, what: `project ${p.id} spent`, stored: Number(p.spent), expected });
  }
  return drift;
}
