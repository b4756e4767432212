// The proxy reports the package version on /health so the panel can tell which proxy it talks to.
import { readFileSync } from "node:fs";
import { z } from "zod";

export const VERSION: string = z
  .object({ version: z.string() })
  .parse(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))).version;
