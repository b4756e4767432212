// The proxy's memory has a budget: social jobs on 8192x8192 inputs (a quarter of a GiB of pixels each) and
// 24 MiB uploads, all at once, keep the process under 512 MiB, and it gives the memory back afterwards. The
// proxy runs as its own process, started as `npm run serve` starts it; its RSS is read from /proc.
// (bench/hostile.ts runs the full attack of issue 13: 8 social jobs and 24 uploads.)
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobResponseSchema, type Job } from "../../core/api/responses.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { openStores } from "../../server/compose.ts";
import { tempDir } from "../../server/test-support/harness.ts";
import { spawnServer, type SpawnedServer } from "../../server/test-support/spawn-server.ts";

const MiB = 1024 * 1024;
const formats = DEFAULT_CATALOG.social.formats.map((f) => f.id);

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)![1]) * 1024;
  return { rss: kib("VmRSS"), hwm: kib("VmHWM") };
}

let dir: string;
let proxy: SpawnedServer;
let rich: string;
let broke: string;
beforeAll(async () => {
  dir = await tempDir();
  const stores = await openStores({ dataDir: dir, databaseUrl: undefined }, DEFAULT_CATALOG);
  rich = (await stores.teams.createTeam({ name: "Rich", tier: "pro", monthlyCredits: 2000, managerName: "M" })).token;
  broke = (await stores.teams.createTeam({ name: "Broke", tier: "basic", monthlyCredits: 0, managerName: "M" })).token;
  await stores.close();
  proxy = await spawnServer({ DATA_DIR: dir });
});
afterAll(async () => {
  await proxy?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function post(token: string, spec: unknown, image: Blob): Promise<Response> {
  const form = new FormData();
  form.append("spec", JSON.stringify(spec));
  form.append("image", image, "image.png");
  return fetch(`${proxy.url}/v1/jobs`, { method: "POST", headers: { authorization: `Bearer ${token}`, "idempotency-key": randomUUID() }, body: form });
}

async function finished(token: string, res: Response): Promise<Job> {
  expect(res.status).toBe(202);
  const { id } = jobResponseSchema.parse(await res.json()).job;
  for (;;) {
    const { job } = jobResponseSchema.parse(await (await fetch(`${proxy.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${token}` } })).json());
    if (job.status === "succeeded" || job.status === "failed") return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the proxy's memory", () => {
  it("stays under 512 MiB through social jobs on 8192x8192 PNGs and 24 MiB uploads at once, and falls back after", async () => {
    const s = 8192;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s}"><rect width="100%" height="100%" fill="#3a6fb0"/><circle cx="${s * 0.7}" cy="${s * 0.4}" r="${s * 0.2}" fill="#fc6"/></svg>`;
    const big = await sharp(await sharp(Buffer.from(svg), { limitInputPixels: false }).png().toBuffer(), { limitInputPixels: false }).ensureAlpha().png({ compressionLevel: 9 }).toBuffer();
    expect(big.length).toBeLessThan(512 * 1024); // a small file that claims 256 MiB of pixels
    const side = 2890; // random pixels: 24 MiB that do not compress
    const upload = await sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    expect(upload.length).toBeGreaterThan(23.5 * MiB);
    const small = await sharp({ create: { width: 300, height: 300, channels: 3, background: "#888" } }).png().toBuffer();

    const pid = proxy.child.pid!;
    // Idle: after one small job of each kind, so libvips and the routes are loaded.
    await finished(rich, await post(rich, { operation: "social", formats, crop: "smart" }, new Blob([new Uint8Array(small)])));
    expect((await post(broke, { operation: "upscale", mode: "fast" }, new Blob([new Uint8Array(small)]))).status).toBe(402);
    await new Promise((r) => setTimeout(r, 500));
    const idle = memory(pid).rss;

    const bigBlob = new Blob([new Uint8Array(big)]);
    const uploadBlob = new Blob([new Uint8Array(upload)]);
    const [jobs, refused] = await Promise.all([
      Promise.all(Array.from({ length: 4 }, async () => finished(rich, await post(rich, { operation: "social", formats, crop: "smart" }, bigBlob)))),
      Promise.all(Array.from({ length: 24 }, () => post(broke, { operation: "upscale", mode: "fast" }, uploadBlob).then((r) => r.status))),
    ]);
    expect(jobs.map((j) => [j.status, j.assets.length])).toEqual(Array.from({ length: 4 }, () => ["succeeded", formats.length]));
    expect(refused).toEqual(Array.from({ length: 24 }, () => 402));
    const peak = memory(pid).hwm;
    await new Promise((r) => setTimeout(r, 3000));
    const after = memory(pid).rss;
    console.log(`proxy RSS: idle ${(idle / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB, 3 s after ${(after / MiB).toFixed(0)} MiB`);
    expect(peak).toBeLessThanOrEqual(512 * MiB);
    expect(after).toBeLessThanOrEqual(idle + 100 * MiB);
  }, 120_000);
});
