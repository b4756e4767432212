// Projects (docs/api.md "Projects"): any member lists the team's active projects (the panel's picker); a
// manager creates them with a monthly or one-off budget, changes them, and archives them. What a project has
// spent and holds is the ledger's (moved in the holds' and captures' transactions); another team's project
// id is 404, exactly like an unknown one.
import { Hono } from "hono";
import {
  projectCreateSchema,
  projectListQuerySchema,
  projectPatchSchema,
  type ProjectListResponse,
  type ProjectResponse,
} from "../../../core/api/managers.ts";
import type { ProjectPatch } from "../../teams/manager-store.ts";
import { requireAuth, requireManager } from "../auth.ts";
import { readJson } from "../read-json.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { parseOrThrow, pathId } from "../validate.ts";

export function projectsRoute(deps: AppDeps): Hono<AppEnv> {
  const { teams, managers } = deps.stores;
  const manager = [requireAuth(teams), requireManager()] as const;

  return new Hono<AppEnv>()
    .get("/v1/projects", requireAuth(teams), async (c) => {
      const q = parseOrThrow(projectListQuerySchema, c.req.query());
      const { team } = c.var.caller;
      const res: ProjectListResponse = { projects: await managers.listProjects(team.id, team.periodStart, q.archived === "true") };
      return c.json(res);
    })
    .post("/v1/projects", ...manager, async (c) => {
      const body = parseOrThrow(projectCreateSchema, await readJson(c));
      const { team } = c.var.caller;
      const project = await managers.createProject(team.id, team.periodStart, { name: body.name, budget: body.budget ?? null, budgetKind: body.budgetKind });
      const res: ProjectResponse = { project };
      return c.json(res, 201);
    })
    .patch("/v1/projects/:id", ...manager, async (c) => {
      const id = pathId(c);
      const body = parseOrThrow(projectPatchSchema, await readJson(c));
      const patch: ProjectPatch = {};
      if (body.name !== undefined) patch.name = body.name;
      if (body.budget !== undefined) patch.budget = body.budget;
      if (body.budgetKind !== undefined) patch.budgetKind = body.budgetKind;
      const { team } = c.var.caller;
      const res: ProjectResponse = { project: await managers.updateProject(team.id, id, team.periodStart, patch) };
      return c.json(res);
    })
    .post("/v1/projects/:id/archive", ...manager, async (c) => {
      const id = pathId(c);
      const { team } = c.var.caller;
      const res: ProjectResponse = { project: await managers.archiveProject(team.id, id, team.periodStart) };
      return c.json(res);
    });
}
