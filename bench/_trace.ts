import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import sharp from "sharp";
import { startTestServer } from "../server/test-support/harness.ts";

const PNG = await sharp({ create: { width: 256, height: 256, channels: 3, background: "#336699" } }).png().toBuffer();
const fake = createServer((req, res) => { req.resume(); req.on("end", () => res.writeHead(200, { "content-type": "image/png" }).end(PNG)); });
await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
const s = await startTestServer({ env: { HF_TOKEN: "hf_x", HF_BASE_URL: url, PROVIDER_CONCURRENCY: "64" } });
const teams = await Promise.all(Array.from({ length: 4 }, () => s.createTeam("enterprise")));
const times = new Map<string, number[]>();
const rec = (k: string, ms: number) => { if (!times.has(k)) times.set(k, []); times.get(k)!.push(ms); };
function wrap(obj: any, name: string, label: string) {
  const orig = obj[name].bind(obj);
  obj[name] = async (...a: unknown[]) => { const t = performance.now(); try { return await orig(...a); } finally { rec(label, performance.now() - t); } };
}
const d = s.deps;
for (const m of ["getById", "markRunning", "setProgress", "succeed", "createWithHold", "get", "findByIdempotencyKey"]) wrap(d.stores.jobs, m, `jobs.${m}`);
wrap(d.stores.blobs, "put", "blobs.put");
wrap(d.stores.teams, "getTeam", "teams.getTeam");
wrap(d.stores.teams, "callerByToken", "teams.callerByToken");
const hf = d.providers.adapter("huggingface")!;
wrap(hf, "create", "hf.create");
let n = 0;
async function one(token: string) {
  const t0 = performance.now();
  const res = await fetch(`${s.url}/v1/jobs`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": `k${++n}` }, body: JSON.stringify({ operation: "create", prompt: "b", quality: "draft", aspectRatio: { width: 256, height: 256 } }) });
  const { job } = await res.json() as any;
  const t202 = performance.now() - t0;
  let polls = 0;
  for (;;) { polls++; const r = await fetch(`${s.url}/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${token}` } }); const j = (await r.json() as any).job; if (j.status === "succeeded") break; }
  rec("client.202", t202); rec("client.total", performance.now() - t0); rec("client.polls", polls);
}
for (let i = 0; i < 100; i++) await one(teams[i % 4]!.token);
times.clear();
for (let i = 0; i < 300; i++) await one(teams[i % 4]!.token);
const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)]!;
for (const [k, v] of times) console.log(k.padEnd(24), "n", String(v.length).padStart(4), "p50", p(v, 0.5).toFixed(3), "p90", p(v, 0.9).toFixed(3), "sum/job", (v.reduce((a, b) => a + b, 0) / 300).toFixed(3));
await s.close(); fake.close();
