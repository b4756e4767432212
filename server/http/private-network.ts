// Chromium asks before a page reaches a private or loopback address: its preflight carries
// `Access-Control-Request-Private-Network: true`, and the request goes ahead only if the answer says
// `Access-Control-Allow-Private-Network: true` (WICG "Private Network Access", the preflight Chromium sends
// for a proxy on localhost or on a team's LAN). Hono's cors() knows nothing of it, so this wraps it.
import type { MiddlewareHandler } from "hono";

export const privateNetworkAccess = (): MiddlewareHandler => async (c, next) => {
  await next();
  if (c.req.method === "OPTIONS" && c.req.header("Access-Control-Request-Private-Network") === "true")
    c.res.headers.set("Access-Control-Allow-Private-Network", "true");
};
