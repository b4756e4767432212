// Bearer-token auth for /v1 routes: the token is hashed and looked up; a missing, unknown or revoked token,
// or a disabled member, is 401 unauthorized. The token itself is never logged or echoed.
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../http/api-error.ts";
import type { AppEnv } from "../http/types.ts";
import type { TeamStore } from "../teams/types.ts";

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="image-studio"' };

export function requireAuth(teams: TeamStore): MiddlewareHandler<AppEnv> {
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
