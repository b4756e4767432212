// The Team studio. A manager sees the team's balance and period, this period's spend by member, operation
// and provider as bar charts (each bar's figure as text), the members with their caps (editable), and a CSV
// export. A member sees only their own spend this period (the proxy scopes /v1/usage to them) and their cap.
// Both see cost-saving suggestions from /v1/insights (the team's, or a member's own), refreshed with the rest.
import { ManagerView } from "./manager-view.tsx";
import { MemberView } from "./member-view.tsx";
import type { TeamStudioProps } from "./team-figures.tsx";

export function TeamStudio(props: TeamStudioProps) {
  return props.me.role === "manager" ? <ManagerView {...props} /> : <MemberView {...props} />;
}
