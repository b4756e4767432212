// The manager's Team view: the team's balance and period, this period's spend by member, operation and
// provider, ways to save, the members with their caps (editable), and the CSV export.
import { useEffect, useState } from "preact/hooks";
import type { TeamMember, TeamResponse, UsageResponse } from "../../core/api/reports.ts";
import type { Me } from "../../core/api/responses.ts";
import { BarChart } from "../widgets/bar-chart.tsx";
import { countText, creditsShort, dateText, timeLeftText } from "../widgets/format.ts";
import { SectionHead } from "../widgets/section-head.tsx";
import { Stat } from "../widgets/stat.tsx";
import { useLoad } from "../widgets/use-load.ts";
import { CsvExport } from "./csv-export.tsx";
import { ControlsView } from "./controls-view.tsx";
import { Insights } from "./insights.tsx";
import { MemberRow } from "./member-row.tsx";
import { CHART_GROUPS, groupUsage, sortMembers } from "./team-data.ts";
import { figuresKey, LoadFailed, Loading, RefreshButton, type TeamStudioProps } from "./team-figures.tsx";

function Summary({ balance, usage, now }: { balance: Me["balance"]; usage: UsageResponse; now: number }) {
  const unlimited = balance.available === null;
  return (
    <dl class="stats">
      <Stat id="team-available" label="Available" value={unlimited ? "Unlimited" : creditsShort(balance.available ?? 0)} note={unlimited ? "metered, no cap" : `${creditsShort(balance.held)} held`} />
      <Stat id="team-spent" label="Spent" value={creditsShort(usage.total.credits)} note={`${countText(usage.total.jobs, "job")} · ${countText(usage.total.images, "image")}`} />
      <Stat id="team-period-end" label="Period ends" value={dateText(balance.periodEndsAt)} note={timeLeftText(balance.periodEndsAt, now)} title={balance.periodEndsAt} />
    </dl>
  );
}

interface TeamData {
  team: TeamResponse;
  usage: UsageResponse;
}

export function ManagerView({ api, me, providers, refreshBalance }: TeamStudioProps) {
  const { state, reloading, reload } = useLoad<TeamData>(
    async () => {
      const [team, usage] = await Promise.all([api.team(), api.usage({ groupBy: CHART_GROUPS })]);
      return { team, usage };
    },
    `${api.proxyUrl}|${figuresKey(me)}`,
  );
  // A saved cap replaces its member until the next load.
  const [saved, setSaved] = useState<Record<string, TeamMember>>({});
  useEffect(() => {
    setSaved({});
  }, [state]);

  if (state.status === "loading") return <Loading />;
  if (state.status === "error") return <LoadFailed error={state.error} onRetry={reload} />;
  const { team, usage } = state.data;
  const labels = { providers };
  const members = sortMembers(team.members.map((m) => saved[m.id] ?? m));
  const refresh = () => {
    reload();
    void refreshBalance();
  };

  return (
    <div class="view create team" data-testid="team-studio" data-state="ready" data-role="manager">
      <div class="scroll">
        <section class="team-section" aria-labelledby="team-period-title">
          <SectionHead id="team-period-title" title={`${team.team.name} · this period`}>
            <RefreshButton busy={reloading} onClick={refresh} />
          </SectionHead>
          <Summary balance={team.balance} usage={usage} now={state.at} />
        </section>
        {usage.rows.length === 0 ? (
          <p class="empty" data-testid="team-empty">
            No spend yet this period. What your team's jobs cost shows up here.
          </p>
        ) : (
          <>
            <BarChart id="chart-member" title="Spend by member" bars={groupUsage(usage.rows, "member", labels)} />
            <BarChart id="chart-operation" title="By operation" bars={groupUsage(usage.rows, "operation", labels)} />
            <BarChart id="chart-provider" title="By provider" bars={groupUsage(usage.rows, "provider", labels)} />
          </>
        )}
        <Insights api={api} at={state.at} />
        <ControlsView api={api} at={String(state.at)} />
        <section class="team-section" aria-labelledby="team-members-title">
          <SectionHead id="team-members-title" title={`Members · ${team.members.length}`} />
          <ul class="members" data-testid="team-members">
            {members.map((m) => (
              <MemberRow key={m.id} api={api} member={m} onSaved={(next) => setSaved((s) => ({ ...s, [next.id]: next }))} />
            ))}
          </ul>
        </section>
        <CsvExport api={api} usage={usage} />
      </div>
    </div>
  );
}
