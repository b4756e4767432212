// `npm run bench -- hostile` (`tsx bench/hostile.ts`): the attacks of issue 13, each with its figure, against a
// proxy running as its own process, as an attacker holding any member's token would try them.
//
// (1) memory: 8 parallel social jobs on 8192x8192 PNGs (a flat picture with a few shapes, about 250 KB
//     each) plus 24 parallel 24 MiB uploads (random-pixel PNGs, so nothing compresses) from a team without
//     credits, all at once. The proxy's RSS is sampled from /proc/<pid>/status every 20 ms; the peak is the
//     larger of the samples and the kernel's VmHWM. "after" is the RSS once everything has finished and
//     BENCH_SETTLE_MS (default 5000) has passed. Target: peak <= 512 MiB, after near idle. Then as many JSON
//     bodies of the same size, sent chunked: the sampled peak while the proxy reads (and refuses) them.
// (2) disk: requests with uploads that the proxy refuses, per refusal path (credits, member cap, tier, rate
//     limit, idempotency mismatch, validation after the decode): the bytes under DATA_DIR (the database files
//     aside) before and after each path, and the statuses. Target: 0 bytes left.
// (3) text: a NUL or another control character in a prompt, a member name, a query, a path id and a header:
//     the statuses, and for an accepted job what it was charged. Target: 400 before anything is held.
// (4) broken images: a truncated PNG and a truncated JPEG sent for an upscale: the status and the credits
//     held after. Target: 415, nothing held.
// (5) redaction: a provider (a fake of Hugging Face) answering an error that echoes the proxy's key raw,
//     base64-, URL- and hex-encoded: how many of those forms reach the job's error and the proxy's log.
//     Target: 0.
//
// Knobs (env): BENCH_DB (sqlite|postgres|all, default all: (2)-(4) on each; (1) and (5) on the first),
// BENCH_ATTACKS (memory,refusals,redaction: which to run; refusals are (2)-(4)),
// BENCH_SOCIAL_JOBS (8), BENCH_UPLOADS (24), BENCH_UPLOAD_MIB (24), BENCH_SETTLE_MS (5000).
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import sharp from "sharp";
import { DEFAULT_CATALOG } from "../core/catalog/default-catalog.ts";
import type { TierId } from "../core/catalog/schema.ts";
import { openStores } from "../server/compose.ts";
import { createTestDatabaseUrl, type DbKind } from "../server/test-support/databases.ts";
import { memoryOf, sampleMemory, startBenchProxy, type BenchProxy } from "./support/proxy-process.ts";

const SOCIAL_JOBS = Number(process.env.BENCH_SOCIAL_JOBS ?? 8);
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 24);
const UPLOAD_MIB = Number(process.env.BENCH_UPLOAD_MIB ?? 24);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 5000);
const DBS: DbKind[] = process.env.BENCH_DB === "sqlite" ? ["sqlite"] : process.env.BENCH_DB === "postgres" ? ["postgres"] : ["sqlite", "postgres"];
const SOCIAL_SIDE = 8192;
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const formats = DEFAULT_CATALOG.social.formats.map((f) => f.id);

// ---- inputs ----
/** A flat 8192x8192 RGBA picture with a few shapes: compresses to about 250 KB, decodes to 256 MiB. */
async function bigFlatPng(): Promise<Buffer> {
  const s = SOCIAL_SIDE;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s}"><rect width="100%" height="100%" fill="#3a6fb0"/>
    <circle cx="${s * 0.68}" cy="${s * 0.38}" r="${s * 0.2}" fill="#ffcc66"/><rect x="${s * 0.2}" y="${s * 0.45}" width="${s * 0.06}" height="${s * 0.3}" fill="#e8e0d0"/></svg>`;
  const shapes = await sharp(Buffer.from(svg), { limitInputPixels: false }).png().toBuffer();
  return sharp(shapes, { limitInputPixels: false }).ensureAlpha().png({ compressionLevel: 9 }).toBuffer();
}

/** Random pixels: a PNG as large as its raw pixels, `mibTarget` MiB. */
async function noisePng(mibTarget: number): Promise<Buffer> {
  const side = Math.floor(Math.sqrt((mibTarget * 1024 * 1024) / 3)) - 8;
  return sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
}

async function noiseJpeg(side: number): Promise<Buffer> {
  return sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

// ---- a client ----
interface Res {
  status: number;
  body: { job?: { id: string; status: string; charged?: number; error?: { code: string; message: string } }; error?: { code: string; message: string } };
}

async function call(proxy: BenchProxy, path: string, token: string, init: { method?: string; json?: unknown; form?: FormData; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...init.headers };
  let body: string | FormData | undefined;
  if (init.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(init.json);
  } else if (init.form) body = init.form;
  try {
    const res = await fetch(proxy.url + path, { method: init.method ?? (body ? "POST" : "GET"), headers, body: body ?? null });
    const text = await res.text();
    let parsed: Res["body"] = {};
    try {
      parsed = JSON.parse(text) as Res["body"];
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  } catch (error) {
    return { status: 0, body: { error: { code: "connection", message: error instanceof Error ? error.message : String(error) } } };
  }
}

/** Over a plain socket: fetch and node:http refuse to send control characters in a header; an attacker's client does not. */
function rawRequest(proxy: BenchProxy, method: string, path: string, headers: Record<string, string>, body = ""): Promise<Res> {
  const { hostname, port } = new URL(proxy.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      const lines = Object.entries({ host: hostname, connection: "close", "content-length": String(Buffer.byteLength(body)), ...headers }).map(([k, v]) => `${k}: ${v}`);
      socket.end(`${method} ${path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n${body}`);
    });
    let text = "";
    socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
    socket.on("error", () => resolve({ status: 0, body: {} }));
    socket.on("close", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      let parsed: Res["body"] = {};
      try {
        parsed = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)) as Res["body"];
      } catch {
        /* not JSON */
      }
      resolve({ status, body: parsed });
    });
  });
}

function form(spec: unknown, parts: Record<string, Blob>): FormData {
  const f = new FormData();
  f.append("spec", JSON.stringify(spec));
  for (const [name, blob] of Object.entries(parts)) f.append(name, blob, `${name}.png`);
  return f;
}

const blob = (bytes: Buffer, type = "image/png") => new Blob([new Uint8Array(bytes)], { type });

function postJob(proxy: BenchProxy, token: string, spec: unknown, parts: Record<string, Blob> = {}, key: string = randomUUID()): Promise<Res> {
  return call(proxy, "/v1/jobs", token, Object.keys(parts).length ? { form: form(spec, parts), headers: { "idempotency-key": key } } : { json: spec, headers: { "idempotency-key": key } });
}

async function waitForJob(proxy: BenchProxy, token: string, id: string, timeoutMs = 300_000): Promise<NonNullable<Res["body"]["job"]>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(proxy, `/v1/jobs/${id}`, token);
    const job = r.body.job;
    if (job && (job.status === "succeeded" || job.status === "failed")) return job;
    if (Date.now() > until) throw new Error(`job ${id} did not finish in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function statuses(results: Res[]): string {
  const counts = new Map<string, number>();
  for (const r of results) {
    // A 400 with no body is Node's HTTP parser refusing the request before the proxy sees it.
    const key = `${r.status}${r.body.error ? ` ${r.body.error.code}` : r.status === 400 ? " (Node's parser)" : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} x ${k}`).join(", ");
}

/** Bytes of every file under `dir` but the database's own. */
async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || /^studio\.db/.test(entry.name)) continue;
    total += (await stat(join(entry.parentPath, entry.name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

// ---- one proxy on one database ----
interface Setup {
  proxy: BenchProxy;
  dataDir: string;
  tokens: Record<"rich" | "broke" | "capped" | "free" | "free2", string>;
  cleanup(): Promise<void>;
}

async function setUp(kind: DbKind, env: Record<string, string> = {}): Promise<Setup> {
  const dataDir = await mkdtemp(join(tmpdir(), "bench-hostile-"));
  const db = kind === "postgres" ? await createTestDatabaseUrl("postgres") : undefined;
  const stores = await openStores({ dataDir, databaseUrl: db?.url }, DEFAULT_CATALOG);
  const team = async (tier: TierId, monthlyCredits: number | null) => (await stores.teams.createTeam({ name: `Bench ${tier}`, tier, monthlyCredits, managerName: "M" }));
  const rich = await team("pro", 100_000);
  const capped = await stores.teams.addMember({ teamId: rich.team.id, name: "Capped", role: "member", monthlyCap: 0 });
  const tokens = {
    rich: rich.token,
    broke: (await team("basic", 0)).token,
    capped: capped.token,
    free: (await team("free", 50)).token,
    free2: (await team("free", 50)).token,
  };
  await stores.close();
  const proxy = await startBenchProxy({ DATA_DIR: dataDir, LOG_LEVEL: "info", ...(db ? { DATABASE_URL: db.url } : {}), ...env });
  return {
    proxy,
    dataDir,
    tokens,
    async cleanup() {
      await proxy.stop();
      await rm(dataDir, { recursive: true, force: true });
      await db?.cleanup();
    },
  };
}

// ---- (1) memory ----
async function memoryAttack(kind: DbKind): Promise<void> {
  const social = await bigFlatPng();
  const upload = await noisePng(UPLOAD_MIB);
  const small = await noisePng(1);
  console.log(
    `(1) memory on ${kind}: ${SOCIAL_JOBS} social jobs (all ${formats.length} formats, smart crop) on a ${SOCIAL_SIDE}x${SOCIAL_SIDE} PNG of ${(social.length / 1024).toFixed(0)} KB` +
      ` + ${UPLOADS} uploads of ${mib(upload.length)} MiB (PNG, upscale from a team without credits), all at once`,
  );
  const s = await setUp(kind);
  try {
    const pid = s.proxy.child.pid!;
    // Warm up (libvips, the routes), so idle is the proxy's resting size, not its size before first use.
    await waitForJob(s.proxy, s.tokens.rich, (await postJob(s.proxy, s.tokens.rich, { operation: "social", formats, crop: "smart" }, { image: blob(small) })).body.job!.id);
    await postJob(s.proxy, s.tokens.broke, { operation: "upscale", mode: "fast", provider: "local" }, { image: blob(small) });
    await new Promise((r) => setTimeout(r, 1000));
    const idle = memoryOf(pid).rss;
    const sampler = sampleMemory(pid);
    const t0 = performance.now();
    const socialBlob = blob(social);
    const uploadBlob = blob(upload);
    const socialJobs = Array.from({ length: SOCIAL_JOBS }, async () => {
      const r = await postJob(s.proxy, s.tokens.rich, { operation: "social", formats, crop: "smart" }, { image: socialBlob });
      if (r.status !== 202) return r;
      const job = await waitForJob(s.proxy, s.tokens.rich, r.body.job!.id);
      return { status: job.status === "succeeded" ? 200 : 500, body: job.error ? { error: job.error } : {} };
    });
    const uploads = Array.from({ length: UPLOADS }, () => postJob(s.proxy, s.tokens.broke, { operation: "upscale", mode: "fast", provider: "local" }, { image: uploadBlob }));
    const [socialResults, uploadResults] = await Promise.all([Promise.all(socialJobs), Promise.all(uploads)]);
    const wall = performance.now() - t0;
    const peak = sampler.stop();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const after = memoryOf(pid).rss;
    console.log(`  social jobs: ${statuses(socialResults)} (200 = succeeded); uploads: ${statuses(uploadResults)}; ${(wall / 1000).toFixed(1)} s`);
    console.log(
      `  RSS idle ${idle.toFixed(0)} MiB -> peak ${Math.max(peak.peakSampled, peak.hwm).toFixed(0)} MiB (sampled ${peak.peakSampled.toFixed(0)}, VmHWM ${peak.hwm.toFixed(0)}) -> ${after.toFixed(0)} MiB ${SETTLE_MS / 1000} s after`,
    );

    // (1b) The same number of bodies as JSON, sent chunked (no length to refuse them by): read into memory.
    const json = Buffer.from(JSON.stringify({ operation: "create", quality: "draft", prompt: "x".repeat(UPLOAD_MIB * 1024 * 1024) }));
    const jsonSampler = sampleMemory(pid);
    const jsonResults = await Promise.all(
      Array.from({ length: UPLOADS }, () =>
        fetch(`${s.proxy.url}/v1/estimate`, {
          method: "POST",
          headers: { authorization: `Bearer ${s.tokens.broke}`, "content-type": "application/json" },
          body: new ReadableStream({
            start(controller) {
              for (let at = 0; at < json.length; at += 256 * 1024) controller.enqueue(json.subarray(at, at + 256 * 1024));
              controller.close();
            },
          }),
          duplex: "half",
        } as RequestInit).then(
          async (r) => ({ status: r.status, body: (await r.json().catch(() => ({}))) as Res["body"] }),
          () => ({ status: 0, body: {} }),
        ),
      ),
    );
    const jsonPeak = jsonSampler.stop().peakSampled;
    console.log(`  + ${UPLOADS} JSON bodies of ${mib(json.length)} MiB sent chunked at once: ${statuses(jsonResults)}; sampled peak RSS ${jsonPeak.toFixed(0)} MiB`);
  } finally {
    await s.cleanup();
  }
}

// ---- (2) disk, (3) text, (4) broken images ----
async function refusals(kind: DbKind): Promise<void> {
  const s = await setUp(kind);
  const upscale = { operation: "upscale", mode: "fast", provider: "local" };
  try {
    console.log(`(2) disk on ${kind}: requests with a 2.4 MiB upload (each its own picture) that are refused; bytes under DATA_DIR (database aside)`);
    const path = async (name: string, run: () => Promise<Res[]>) => {
      const before = await bytesUnder(s.dataDir);
      const results = await run();
      await new Promise((r) => setTimeout(r, 200));
      const left = (await bytesUnder(s.dataDir)) - before;
      console.log(`  ${name.padEnd(22)} ${statuses(results).padEnd(44)} left ${mib(left)} MiB`);
    };
    // Every request its own picture: content addressing would store 25 copies of one image once.
    const images = async (n: number) => Promise.all(Array.from({ length: n }, async () => blob(await noisePng(2.4))));
    const each = async (n: number, send: (image: Blob) => Promise<Res>) => Promise.all((await images(n)).map(send));
    await path("credits (25 requests)", () => each(25, (image) => postJob(s.proxy, s.tokens.broke, upscale, { image })));
    await path("member cap", () => each(5, (image) => postJob(s.proxy, s.tokens.capped, upscale, { image })));
    await path("tier", () => each(5, (image) => postJob(s.proxy, s.tokens.free, { ...upscale, mode: "conservative" }, { image })));
    // The free tier's 6 jobs a minute, taken by JSON creates (no uploads), then 5 uploads over the limit.
    for (let i = 0; i < 6; i++) await postJob(s.proxy, s.tokens.free2, { operation: "create", prompt: "x", quality: "draft", provider: "local", aspectRatio: { width: 64, height: 64 } });
    await new Promise((r) => setTimeout(r, 1500)); // their results are stored before the path is measured
    await path("rate limit", () => each(5, (image) => postJob(s.proxy, s.tokens.free2, upscale, { image })));
    const key = randomUUID();
    const first = await postJob(s.proxy, s.tokens.rich, { operation: "create", prompt: "x", quality: "draft", provider: "local", aspectRatio: { width: 64, height: 64 } }, {}, key);
    if (first.body.job) await waitForJob(s.proxy, s.tokens.rich, first.body.job.id);
    await path("idempotency mismatch", () => each(5, (image) => postJob(s.proxy, s.tokens.rich, upscale, { image }, key)));
    const other = await noisePng(0.1);
    await path("validation (mask size)", () =>
      each(5, (image) => postJob(s.proxy, s.tokens.rich, { operation: "edit", kind: "erase", provider: "local" }, { image, mask: blob(other) })),
    );

    console.log(`(3) text on ${kind}: control characters`);
    const nulPrompt = await postJob(s.proxy, s.tokens.rich, { operation: "create", prompt: "a cat\u0000 on a mat", quality: "draft", provider: "local", aspectRatio: { width: 64, height: 64 } });
    let outcome = "";
    if (nulPrompt.body.job) {
      const job = await waitForJob(s.proxy, s.tokens.rich, nulPrompt.body.job.id);
      outcome = ` -> job ${job.status}, charged ${job.charged ?? 0}`;
    }
    const text: [string, Res][] = [
      ["NUL in a prompt", nulPrompt],
      ["\\x01 in a prompt", await postJob(s.proxy, s.tokens.rich, { operation: "create", prompt: "a\u0001b", quality: "draft", provider: "local" })],
      ["NUL in a member name", await call(s.proxy, "/v1/team/members", s.tokens.rich, { json: { name: "Bo\u0000" } })],
      ["newline in a member name", await call(s.proxy, "/v1/team/members", s.tokens.rich, { json: { name: "Bo\nAdmin" } })],
      ["NUL in ?q=", await call(s.proxy, "/v1/assets?q=%00", s.tokens.rich)],
      ["NUL in ?member=", await call(s.proxy, "/v1/ledger?member=%00", s.tokens.rich)],
      ["NUL in a path id", await call(s.proxy, "/v1/jobs/%00", s.tokens.rich)],
      ["NUL in an asset id", await call(s.proxy, "/v1/assets/a%00b", s.tokens.rich)],
      ["\\x01 in Idempotency-Key", await rawRequest(s.proxy, "POST", "/v1/jobs", { authorization: `Bearer ${s.tokens.rich}`, "content-type": "application/json", "idempotency-key": "a\u0001b" }, '{"operation":"create","prompt":"x","quality":"draft"}')],
      ["\\x01 in Authorization", await rawRequest(s.proxy, "GET", "/v1/me", { authorization: `Bearer ${s.tokens.rich}\u0001` })],
      ["\\x7f in If-None-Match", await rawRequest(s.proxy, "GET", "/v1/assets/ast_aaaaaaaaaa/content", { authorization: `Bearer ${s.tokens.rich}`, "if-none-match": "\"a\u007f\"" })],
    ];
    for (const [name, r] of text) console.log(`  ${name.padEnd(26)} ${statuses([r])}${r === nulPrompt ? outcome : ""}`);

    console.log(`(4) broken images on ${kind}: an upscale of a truncated image`);
    const png = await noisePng(0.5);
    const jpeg = await noiseJpeg(512);
    for (const [name, bytes, type] of [
      ["PNG cut at 60%", png.subarray(0, Math.floor(png.length * 0.6)), "image/png"],
      ["JPEG cut at 60%", jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), "image/jpeg"],
    ] as const) {
      const r = await postJob(s.proxy, s.tokens.rich, upscale, { image: blob(Buffer.from(bytes), type) });
      const me = await call(s.proxy, "/v1/me", s.tokens.rich);
      const held = (me.body as { balance?: { held: number } }).balance?.held ?? NaN;
      let after = "";
      if (r.body.job) after = ` -> job ${(await waitForJob(s.proxy, s.tokens.rich, r.body.job.id)).status}`;
      console.log(`  ${name.padEnd(26)} ${statuses([r])}, credits held right after: ${held}${after}`);
    }
  } finally {
    await s.cleanup();
  }
}

// ---- (5) redaction ----
async function redaction(kind: DbKind): Promise<void> {
  const key = `hf_${randomBytes(18).toString("hex")}`;
  const forms = {
    raw: key,
    base64: Buffer.from(key).toString("base64"),
    "base64 in Basic": Buffer.from(`user:${key}`).toString("base64"),
    url: encodeURIComponent(`${key}/=`),
    hex: Buffer.from(key).toString("hex"),
  };
  const fake = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `Bad request. We got authorization ${forms.base64}, basic ${forms["base64 in Basic"]}, query key=${forms.url}, raw ${forms.raw}, hex ${forms.hex}` }));
    });
  });
  await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
  const s = await setUp(kind, { HF_TOKEN: key, HF_BASE_URL: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` });
  try {
    console.log(`(5) redaction on ${kind}: a provider error echoing the key in several encodings`);
    const r = await postJob(s.proxy, s.tokens.rich, { operation: "create", prompt: "x", quality: "draft", provider: "huggingface" });
    const job = r.body.job ? await waitForJob(s.proxy, s.tokens.rich, r.body.job.id) : undefined;
    await new Promise((r) => setTimeout(r, 300));
    const message = job?.error?.message ?? JSON.stringify(r.body);
    const log = s.proxy.output();
    const found = (text: string) => Object.entries(forms).filter(([, v]) => text.includes(v)).map(([k]) => k);
    console.log(`  job ${job?.status ?? r.status}: key forms in its error: ${found(message).length} [${found(message).join(", ")}]; in the proxy's log: ${found(log).length} [${found(log).join(", ")}]`);
  } finally {
    await s.cleanup();
    fake.close();
  }
}

const t0 = performance.now();
const ATTACKS = (process.env.BENCH_ATTACKS ?? "memory,refusals,redaction").split(",");
if (ATTACKS.includes("memory")) await memoryAttack(DBS[0]!);
if (ATTACKS.includes("refusals")) for (const kind of DBS) await refusals(kind);
if (ATTACKS.includes("redaction")) await redaction(DBS[0]!);
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
process.exit(0);
