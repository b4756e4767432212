// `npm run bench`: every benchmark, one after another in its own process so none warms another's caches.
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";

const BENCHES = ["bench/estimate.ts", "bench/ledger.ts", "bench/create-job.ts", "bench/proxy.ts", "bench/social.ts", "bench/assets.ts", "bench/hostile.ts", "bench/scale.ts", "bench/batch.ts"];
const only = process.argv.slice(2);

console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}\n`);
let failed = false;
for (const file of BENCHES.filter((f) => only.length === 0 || only.some((o) => f.includes(o)))) {
  console.log(`# ${file}`);
  const r = spawnSync("node_modules/.bin/tsx", [file], { stdio: "inherit" });
  if (r.status !== 0) failed = true;
  console.log();
}
process.exit(failed ? 1 : 0);
