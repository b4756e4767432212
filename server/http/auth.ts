// Who is calling. Bearer-token auth for /v1 routes: the token is looked up by the team store (teams/, where
// tokens live, stored as their sha256); a missing, unknown or revoked token, or a disabled member, is 401
// unauthorized. The token itself is never logged or echoed. requireManager narrows a route to managers.
import type { MiddlewareHandler } from "hono";
import type { TeamStore } from "../teams/types.ts";
import { ApiError } from "./api-error.ts";
import type { AppEnv } from "./types.ts";

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="image-studio"' };

export function requireAuth(teams: Pick<TeamStore, "callerByToken">): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match) throw new ApiError("unauthorized", "Send your proxy token as Authorization: Bearer <token>", undefined, CHALLENGE);
    const caller = await teams.callerByToken(match[1]!);
    if (!caller) throw new ApiError("unauthorized", "This token is unknown or revoked; ask your team's manager for a new one", undefined, CHALLENGE);
    c.set("caller", caller);
    await next();
  };
}

/** After requireAuth: a member (not a manager) gets 403 forbidden. Checked before any id is looked up, so
 * the answer never depends on whether an id exists. */
export function requireManager(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.var.caller.member.role !== "manager") throw new ApiError("forbidden", "Only a manager of your team can do this; ask one of them");
    await next();
  };
}
