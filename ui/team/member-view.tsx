// A member's Team view: their own spend this period (the proxy scopes /v1/usage to them) by operation, their
// cap and what it leaves, and ways to save.
import { BarChart } from "../widgets/bar-chart.tsx";
import { countText, creditsShort, dateText, timeLeftText } from "../widgets/format.ts";
import { Meter } from "../widgets/meter.tsx";
import { SectionHead } from "../widgets/section-head.tsx";
import { Stat } from "../widgets/stat.tsx";
import { useLoad } from "../widgets/use-load.ts";
import { Insights } from "./insights.tsx";
import { capUse, groupUsage } from "./team-data.ts";
import { figuresKey, LoadFailed, Loading, RefreshButton, type TeamStudioProps } from "./team-figures.tsx";

export function MemberView({ api, me, providers, refreshBalance }: TeamStudioProps) {
  const { state, reloading, reload } = useLoad(() => api.usage({ groupBy: ["operation"] }), `${api.proxyUrl}|${figuresKey(me)}`);
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") return <LoadFailed error={state.error} onRetry={reload} />;
  const usage = state.data;
  const { monthlyCap, spent, capRemaining } = me.member;
  // /v1/me has no member `held`; what the cap leaves besides spend is held by running jobs.
  const held = monthlyCap === null || capRemaining === null ? 0 : Math.max(0, monthlyCap - spent - capRemaining);
  const use = capUse({ spent: usage.total.credits, held, monthlyCap, capRemaining });

  return (
    <div class="view create team" data-testid="team-studio" data-state="ready" data-role="member">
      <div class="scroll">
        <section class="team-section" aria-labelledby="team-period-title">
          <SectionHead id="team-period-title" title="Your spend this period">
            <RefreshButton
              busy={reloading}
              onClick={() => {
                reload();
                void refreshBalance();
              }}
            />
          </SectionHead>
          <dl class="stats">
            <Stat id="my-spent" label="Spent" value={creditsShort(usage.total.credits)} note={`${countText(usage.total.jobs, "job")} · ${countText(usage.total.images, "image")}`} />
            <Stat id="my-cap" label="Monthly cap" value={monthlyCap === null ? "No cap" : creditsShort(monthlyCap)} note={capRemaining === null ? undefined : `${creditsShort(capRemaining)} left`} />
            <Stat id="team-period-end" label="Period ends" value={dateText(me.balance.periodEndsAt)} note={timeLeftText(me.balance.periodEndsAt, state.at)} title={me.balance.periodEndsAt} />
          </dl>
          <div data-testid="my-cap-meter">
            <Meter percent={use.used} />
          </div>
        </section>
        {usage.rows.length === 0 ? (
          <p class="empty" data-testid="team-empty">
            You have not spent anything this period yet.
          </p>
        ) : (
          <BarChart id="chart-operation" title="Your spend by operation" bars={groupUsage(usage.rows, "operation", { providers })} />
        )}
        <Insights api={api} at={state.at} />
        <p class="muted">Managers see the whole team's spend and caps here.</p>
      </div>
    </div>
  );
}
