// A refused request stores nothing: an upload's bytes are kept only for a job that holds. For each refusal
// path of POST /v1/jobs (credits, member cap, tier, rate limit, idempotency mismatch, validation before and
// after the decode, an image that does not decode), requests with uploads of their own leave 0 bytes under
// DATA_DIR (assets and the temporary folder alike), on SQLite and PostgreSQL; an accepted job's upload is
// stored, used by the job, and freed when it finishes.
import { randomBytes, randomUUID } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../core/api/errors.ts";
import { jobResponseSchema } from "../../core/api/responses.ts";
import { createTestDatabaseUrl, DB_KINDS, type TestDatabaseUrl } from "../../server/test-support/databases.ts";
import { startTestServer, type TestServer } from "../../server/test-support/harness.ts";

/** A picture of random pixels (so every upload is its own blob), `side` px square. */
const noise = (side: number) => sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();

/** Files and their bytes under DATA_DIR, the database's own files aside. */
async function stored(dataDir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dataDir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.startsWith("studio.db")) continue;
    files++;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

function multipart(spec: unknown, parts: Record<string, Buffer | string>): FormData {
  const form = new FormData();
  form.append("spec", typeof spec === "string" ? spec : JSON.stringify(spec));
  for (const [name, value] of Object.entries(parts))
    if (typeof value === "string") form.append(name, value);
    else form.append(name, new Blob([new Uint8Array(value)]), `${name}.png`);
  return form;
}

for (const kind of DB_KINDS) {
  describe(`refused uploads leave no bytes (${kind})`, () => {
    let db: TestDatabaseUrl | undefined;
    let s: TestServer;
    beforeAll(async () => {
      db = kind === "postgres" ? await createTestDatabaseUrl("postgres") : undefined;
      s = await startTestServer(db ? { env: { DATABASE_URL: db.url } } : {});
    });
    afterAll(async () => {
      await s?.close();
      await db?.cleanup();
    });

    const post = (token: string, form: FormData, key = randomUUID()) => s.call("/v1/jobs", { token, body: form, headers: { "Idempotency-Key": key } });
    const upscale = { operation: "upscale", mode: "fast", provider: "local" };

    it("for every refusal path, with each request's own upload", async () => {
      const broke = await s.createTeam("basic", { monthlyCredits: 0 });
      const pro = await s.createTeam("pro");
      const capped = await s.deps.stores.teams.addMember({ teamId: pro.team.id, name: "Capped", role: "member", monthlyCap: 0 });
      const free = await s.createTeam("free");
      const limited = await s.createTeam("free");
      for (let i = 0; i < 6; i++) await s.runJob(limited.token, { operation: "create", prompt: "x", quality: "draft", aspectRatio: { width: 64, height: 64 } });
      const used = randomUUID();
      const first = await s.call("/v1/jobs", { token: pro.token, json: { operation: "create", prompt: "y", quality: "draft", aspectRatio: { width: 64, height: 64 } }, headers: { "Idempotency-Key": used } });
      await s.waitForJob(pro.token, jobResponseSchema.parse(await first.json()).job.id);
      const png = await noise(300);

      const paths: [string, () => Promise<Response>, string][] = [
        ["no credits", async () => post(broke.token, multipart(upscale, { image: await noise(300) })), "insufficient_credits"],
        ["member cap", async () => post(capped.token, multipart(upscale, { image: await noise(300) })), "member_cap_reached"],
        ["tier", async () => post(free.token, multipart({ ...upscale, mode: "conservative" }, { image: await noise(300) })), "tier_required"],
        ["rate limit", async () => post(limited.token, multipart(upscale, { image: await noise(300) })), "rate_limited"],
        ["idempotency mismatch", async () => post(pro.token, multipart(upscale, { image: await noise(300) }), used), "idempotency_mismatch"],
        ["a mask of another size", async () => post(pro.token, multipart({ operation: "edit", kind: "erase", provider: "local" }, { image: await noise(300), mask: await noise(200) })), "invalid_request"],
        ["an unknown field in the spec", async () => post(pro.token, multipart({ ...upscale, colour: "red" }, { image: await noise(300) })), "invalid_request"],
        ["a spec that is not JSON", async () => post(pro.token, multipart("{", { image: await noise(300) })), "invalid_request"],
        ["an unknown part after the image", async () => post(pro.token, multipart(upscale, { image: await noise(300), extra: "x" })), "invalid_request"],
        ["an image part twice", async () => {
          const form = multipart(upscale, { image: await noise(300) });
          form.append("image", new Blob([new Uint8Array(await noise(300))]), "again.png");
          return post(pro.token, form);
        }, "invalid_request"],
        ["a truncated PNG", async () => post(pro.token, multipart(upscale, { image: png.subarray(0, png.length >> 1) })), "unsupported_image"],
        ["an image too small", async () => post(pro.token, multipart(upscale, { image: await noise(40) })), "unsupported_image"],
        ["not an image", async () => post(pro.token, multipart(upscale, { image: randomBytes(300_000) })), "unsupported_image"],
      ];
      const before = await stored(s.dataDir);
      const balance = await s.deps.stores.ledger.balance(pro.team.id);
      for (const [what, send, code] of paths) {
        const results = await Promise.all(Array.from({ length: 3 }, send));
        for (const res of results) expect({ what, code: errorResponseSchema.parse(await res.json()).error.code }).toEqual({ what, code });
        expect({ what, ...(await stored(s.dataDir)) }).toEqual({ what, ...before });
      }
      expect(await s.deps.stores.ledger.balance(pro.team.id)).toEqual(balance);
    });

    it("stores an accepted job's upload, which the job uses, and frees it when the job has finished", async () => {
      const { token } = await s.createTeam("pro");
      const before = await stored(s.dataDir);
      const image = await noise(256);
      const res = await post(token, multipart(upscale, { image }));
      expect(res.status).toBe(202);
      const job = await s.waitForJob(token, jobResponseSchema.parse(await res.json()).job.id);
      expect(job).toMatchObject({ status: "succeeded", progress: { completed: 1 } });
      expect(job.assets[0]).toMatchObject({ width: 1024, height: 1024 }); // 4x: the job read its stored input
      const after = await stored(s.dataDir);
      expect(after.files).toBe(before.files + 1); // the result only: the upload is gone, no temporary file left
      expect(after.bytes).toBe(before.bytes + job.assets[0]!.bytes);
    });
  });
}
