// `tsx bench/assets.ts [sqlite|postgres|all]` (or BENCH_DB=postgres): the asset library's listing with 100,000
// assets in one team's library (issue 6).
//
// - A proxy in this process (as bench/create-job.ts) on a fresh database: SQLite under a temp DATA_DIR by
//   default, PostgreSQL (TEST_DATABASE_URL's server, a fresh database) when asked.
// - Seeded straight through SQL in batched transactions (multi-row INSERTs, 5,000 assets per transaction):
//   100,000 assets of one team (8 members, about 2 per job, over one year; 55% create, 20% edit, 15% upscale,
//   10% social; several providers; prompts from a word list) plus 4 other teams of 5,000 assets each.
// - Then, over HTTP, BENCH_REQUESTS (default 200) sequential GET /v1/assets per case after 20 warm-up ones,
//   the response read to its end: p50/p99 ms per case. Cursors for deep pages come from the same order the
//   API pages by, so they are the cursors a client walking the library would hold.
//
// Knobs (env): BENCH_REQUESTS (200), BENCH_ASSETS (100000, the library's size), BENCH_DB (sqlite|postgres|all).
// Target: p99 under 50 ms per page. BENCH_EXPLAIN=1 also prints each case's query plan.
import { performance } from "node:perf_hooks";
import { assetPageSchema } from "../core/api/assets.ts";
import { encodeAssetCursor } from "../server/assets/asset-repo.ts";
import type { Sql, SqlValue } from "../server/db/sql.ts";
import { newId } from "../server/ids.ts";
import { createTestDatabaseUrl, type DbKind } from "../server/test-support/databases.ts";
import { startTestServer, type TestServer } from "../server/test-support/harness.ts";
import { percentile } from "./stats.ts";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const WARMUP = 20;
const LIBRARY = Number(process.env.BENCH_ASSETS ?? 100_000);
const NOISE_TEAMS = 4;
const NOISE_ASSETS = 5_000;
const PER_TX = 5_000;
const ROWS_PER_STATEMENT = 200;
const EXPLAIN = process.env.BENCH_EXPLAIN === "1";

// ---- deterministic data ----
let state = 0x9e3779b9;
/** xorshift32: the same library on every run. */
function rand(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 0x1_0000_0000;
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
function weighted<T>(choices: readonly (readonly [T, number])[]): T {
  let r = rand() * choices.reduce((n, [, w]) => n + w, 0);
  for (const [value, w] of choices) if ((r -= w) < 0) return value;
  return choices[choices.length - 1]![0];
}

const SUBJECTS = ["lighthouse", "coffee cup", "mountain lake", "city skyline", "red sneaker", "golden retriever", "glass bottle", "desk lamp", "forest path", "sailboat", "bicycle", "orchid", "espresso machine", "wristwatch", "vintage car", "bookshelf"];
const STYLES = ["studio photo", "watercolor", "isometric render", "film still", "flat illustration", "macro shot", "oil painting", "3d clay"];
const SETTINGS = ["at dusk", "on a white background", "in soft morning light", "under neon lights", "in the rain", "on a marble table", "at golden hour", "in fog"];
/** In about 1 prompt in 1,000: the rare search term. */
const RARE = "zeppelin";
const EDIT_KINDS = ["remove-background", "inpaint", "outpaint", "search-replace", "search-recolor", "erase"];
const UPSCALE_MODES = ["fast", "conservative", "creative"];
const CREATE_ROUTES = [
  ["local", "procedural"],
  ["huggingface", "flux-schnell"],
  ["stability", "sd3.5-large"],
  ["gemini", "imagen-4"],
  ["wavespeed", "seedream"],
] as const;
const SOCIAL_FORMATS = ["instagram-square", "instagram-story", "facebook-feed", "x-post", "linkedin-feed"];

const hex = (n: number) => {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
};

interface JobPlan {
  id: string;
  memberId: string;
  operation: string;
  operationKey: string;
  provider: string | null;
  model: string | null;
  prompt: string | null;
  spec: string;
  createdAt: string;
  images: number;
}

function planJob(memberId: string, createdAt: string): JobPlan {
  const operation = weighted([
    ["create", 55],
    ["edit", 20],
    ["upscale", 15],
    ["social", 10],
  ] as const);
  const subject = rand() < 0.001 ? RARE : pick(SUBJECTS);
  const prompt = `${pick(STYLES)} of a ${subject} ${pick(SETTINGS)}`;
  const id = newId("job");
  if (operation === "create") {
    const [provider, model] = pick(CREATE_ROUTES);
    const spec = { operation, prompt, quality: "standard", provider, variations: 2, seed: Math.floor(rand() * 1e9), aspectRatio: "1:1" };
    return { id, memberId, operation, operationKey: "create", provider, model, prompt, spec: JSON.stringify(spec), createdAt, images: 2 };
  }
  if (operation === "edit") {
    const kind = pick(EDIT_KINDS);
    const provider = rand() < 0.8 ? "stability" : "local";
    const spec = { operation, kind, prompt, provider: "auto" };
    return { id, memberId, operation, operationKey: `edit.${kind}`, provider, model: kind, prompt, spec: JSON.stringify(spec), createdAt, images: 1 };
  }
  if (operation === "upscale") {
    const mode = pick(UPSCALE_MODES);
    const provider = rand() < 0.8 ? "stability" : "local";
    const spec = { operation, mode, provider: "auto" };
    return { id, memberId, operation, operationKey: `upscale.${mode}`, provider, model: mode, prompt: null, spec: JSON.stringify(spec), createdAt, images: 1 };
  }
  const spec = { operation, formats: SOCIAL_FORMATS.slice(0, 3), crop: "smart" };
  return { id, memberId, operation, operationKey: "social", provider: null, model: null, prompt: null, spec: JSON.stringify(spec), createdAt, images: 3 };
}

async function insertRows(sql: Sql, table: string, columns: readonly string[], rows: readonly SqlValue[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const values = chunk.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(", ")})`).join(", ");
    await sql.run(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values}`, chunk.flat());
  }
}

const JOB_COLUMNS = ["id", "team_id", "member_id", "request_hash", "operation", "spec", "status", "estimate", "progress", "operation_key", "provider", "model", "created_at", "updated_at", "finished_at"];
const ASSET_COLUMNS = ["id", "team_id", "job_id", "member_id", "sha256", "content_type", "width", "height", "bytes", "cost", "operation", "operation_key", "provider", "model", "prompt", "params", "parent_asset_id", "format", "position", "created_at"];

/** `count` assets of the team, about one every `spacingMs` from `start`, jobs first; returns when committed. */
async function seedLibrary(s: TestServer, teamId: string, memberIds: readonly string[], count: number, start: number, spacingMs: number): Promise<void> {
  const db = s.deps.stores.db;
  let made = 0;
  let clock = start;
  let lastAsset: string | null = null;
  while (made < count) {
    const jobs: SqlValue[][] = [];
    const assets: SqlValue[][] = [];
    while (assets.length < PER_TX && made < count) {
      clock += Math.floor(rand() * 2 * spacingMs) + 1;
      const createdAt = new Date(clock).toISOString();
      const job = planJob(pick(memberIds), createdAt);
      const images = Math.min(job.images, count - made);
      const progress = JSON.stringify({ stage: "done", completed: images, total: images });
      jobs.push([job.id, teamId, job.memberId, hex(64), job.operation, job.spec, "succeeded", "{}", progress, job.operationKey, job.provider, job.model, createdAt, createdAt, createdAt]);
      const parent: string | null = job.operation !== "create" && rand() < 0.7 ? lastAsset : null;
      for (let p = 0; p < images; p++) {
        const id = newId("ast");
        const format = job.operation === "social" ? SOCIAL_FORMATS[p % SOCIAL_FORMATS.length]! : null;
        const cost = job.operation === "social" ? 0 : 1 + Math.floor(rand() * 8);
        assets.push([id, teamId, job.id, job.memberId, hex(64), "image/png", 1024, 1024, 200_000 + Math.floor(rand() * 1e6), cost, job.operation, job.operationKey, job.provider, job.model, job.prompt, job.spec, parent, format, p, createdAt]);
        lastAsset = id;
        made++;
      }
    }
    await db.tx(async (sql) => {
      await insertRows(sql, "jobs", JOB_COLUMNS, jobs);
      await insertRows(sql, "assets", ASSET_COLUMNS, assets);
    });
  }
}

interface Case {
  name: string;
  query: string;
}

async function bench(kind: DbKind): Promise<void> {
  const database = kind === "postgres" ? await createTestDatabaseUrl("postgres") : null;
  const s = await startTestServer(database ? { config: { databaseUrl: database.url } } : {});
  try {
    const db = s.deps.stores.db;
    // ---- seed ----
    const t0 = performance.now();
    const { team, manager, token } = await s.createTeam("pro");
    const members: string[] = [];
    for (let i = 1; i <= 8; i++) members.push((await s.deps.stores.teams.addMember({ teamId: team.id, name: `Member ${i}`, role: "member" })).member.id);
    const year = 365 * 24 * 3600_000;
    const start = Date.UTC(2025, 10, 1);
    // The noise teams' assets interleave in time with the library's, as on a shared proxy.
    for (let n = 0; n < NOISE_TEAMS; n++) {
      const other = await s.createTeam("pro", { name: `Noise ${n}` });
      await seedLibrary(s, other.team.id, [other.manager.id], NOISE_ASSETS, start, year / NOISE_ASSETS);
    }
    await seedLibrary(s, team.id, members, LIBRARY, start, year / LIBRARY);
    // What autovacuum does shortly after a bulk load; SQLite gets no statistics, as the proxy never runs ANALYZE.
    if (kind === "postgres") await db.exec("VACUUM ANALYZE");
    const seeded = (await db.one<{ n: number }>("SELECT count(*) AS n FROM assets WHERE team_id = $1", [team.id]))!.n;
    const total = (await db.one<{ n: number }>("SELECT count(*) AS n FROM assets"))!.n;
    console.log(`${kind}: seeded ${seeded} assets in the team (${total} in all) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // ---- cases ----
    /** The cursor a client holds after `pages` pages of 50 of this order (newest first). */
    const cursorAfter = async (pages: number, where = "", params: SqlValue[] = []): Promise<string> => {
      const row = await db.one<{ created_at: string; id: string }>(
        `SELECT created_at, id FROM assets WHERE team_id = $1 ${where} ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ${pages * 50 - 1}`,
        [team.id, ...params],
      );
      return encodeAssetCursor(row!.created_at, row!.id);
    };
    const month = (m: number) => new Date(Date.UTC(2026, m, 1)).toISOString().slice(0, 10);
    const cases: Case[] = [
      { name: "first page", query: "?limit=50" },
      { name: "page 500 (cursor)", query: `?limit=50&cursor=${await cursorAfter(499)}` },
      { name: `last page (${Math.ceil(LIBRARY / 50)}, cursor)`, query: `?limit=50&cursor=${await cursorAfter(Math.ceil(LIBRARY / 50) - 1)}` },
      { name: "type=edit", query: "?limit=50&type=edit" },
      { name: "type=edit, page 100 (cursor)", query: `?limit=50&type=edit&cursor=${await cursorAfter(99, "AND operation = $2", ["edit"])}` },
      { name: "operation=upscale.creative", query: "?limit=50&operation=upscale.creative" },
      { name: "provider=local", query: "?limit=50&provider=local" },
      { name: "member (1 in 8 assets)", query: `?limit=50&member=${members[3]}` },
      { name: "member with no assets (the manager)", query: `?limit=50&member=${manager.id}` },
      { name: "from..to (one month)", query: `?limit=50&from=${month(3)}&to=${month(4)}` },
      { name: "from..to (one month), type=social", query: `?limit=50&from=${month(3)}&to=${month(4)}&type=social` },
      { name: "q=lighthouse (1 in 16 prompts)", query: "?limit=50&q=lighthouse" },
      { name: `q=${RARE} (1 in 1,000)`, query: `?limit=50&q=${RARE}` },
      { name: "q=no match (every prompt read)", query: "?limit=50&q=submarine" },
      { name: "q=zq (2 letters, no match)", query: "?limit=50&q=zq" },
      { name: "q=lighthouse, type=edit", query: "?limit=50&q=lighthouse&type=edit" },
    ];

    const get = async (query: string): Promise<number> => {
      const res = await s.call(`/v1/assets${query}`, { token });
      if (res.status !== 200) throw new Error(`GET /v1/assets${query} answered ${res.status}: ${await res.text()}`);
      return (JSON.parse(await res.text()) as { assets: unknown[] }).assets.length;
    };
    // JIT and caches: a round over every case first, so the first case is not measured cold.
    for (let i = 0; i < 5; i++) for (const c of cases) await get(c.query);
    for (const c of cases) {
      // Once checked against the wire schema (outside the timing), so the bench measures real pages.
      const page = assetPageSchema.parse(await (await s.call(`/v1/assets${c.query}`, { token })).json());
      for (let i = 0; i < WARMUP; i++) await get(c.query);
      const samples: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const t = performance.now();
        await get(c.query);
        samples.push(performance.now() - t);
      }
      samples.sort((a, b) => a - b);
      const p99 = percentile(samples, 99);
      console.log(
        `  ${c.name.padEnd(38)} ${String(page.assets.length).padStart(3)} rows  p50 ${percentile(samples, 50).toFixed(2).padStart(6)} ms  p99 ${p99.toFixed(2).padStart(6)} ms${p99 < 50 ? "" : "  MISSES the 50 ms target"}`,
      );
      if (EXPLAIN) await explain(s, kind, team.id, c.query);
    }
  } finally {
    await s.close();
    await database?.cleanup();
  }
}

/** The plan of the listing's query for a case, with the same SQL the repo sends (captured from the Db). */
async function explain(s: TestServer, kind: DbKind, teamId: string, query: string): Promise<void> {
  const db = s.deps.stores.db;
  const seen: { text: string; params: readonly SqlValue[] }[] = [];
  const original = db.all.bind(db);
  db.all = (async (text: string, params?: readonly SqlValue[]) => {
    if (text.includes("FROM assets a JOIN members")) seen.push({ text, params: params ?? [] });
    return original(text, params);
  }) as typeof db.all;
  try {
    await s.call(`/v1/assets${query}`, { token: (await s.deps.stores.teams.addMember({ teamId, name: "Explain", role: "member" })).token });
  } finally {
    db.all = original;
  }
  const q = seen[0];
  if (!q) return;
  const rows = await db.all<Record<string, unknown>>(`${kind === "sqlite" ? "EXPLAIN QUERY PLAN" : "EXPLAIN (ANALYZE, BUFFERS)"} ${q.text}`, q.params);
  for (const r of rows) console.log(`      ${kind === "sqlite" ? String(r.detail) : String(r["QUERY PLAN"])}`);
}

const arg = (process.argv[2] ?? process.env.BENCH_DB ?? "sqlite").toLowerCase();
const kinds: DbKind[] = arg === "all" ? ["sqlite", "postgres"] : arg === "postgres" ? ["postgres"] : ["sqlite"];
for (const kind of kinds) await bench(kind);
