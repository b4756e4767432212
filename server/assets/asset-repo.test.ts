// The asset library's store: keyset paging, every filter, team scoping, and deleting bytes only when nothing
// refers to them any more, also while inserts of the same bytes race the delete. On SQLite and PostgreSQL
// alike; on PostgreSQL the races run across separate connection pools, as several proxy instances would.
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../db/sql.ts";
import { newId } from "../ids.ts";
import { InvalidCursorError } from "../db/cursor.ts";
import { seedJob, seedMember, seedTeam } from "../test-support/seed-rows.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { openTestStores, type TestStores } from "../test-support/test-stores.ts";
import { decodeAssetCursor, encodeAssetCursor, promptPattern, SqlAssetRepo } from "./asset-repo.ts";
import type { AssetListQuery, AssetRecord, ListedAsset } from "./types.ts";

interface Who {
  teamId: string;
  memberId: string;
  jobId: string;
}

interface AssetInput {
  bytes?: string;
  createdAt?: string;
  operation?: string;
  operationKey?: string;
  provider?: string | null;
  prompt?: string | null;
  format?: string | null;
}

const sha = (bytes: string) => createHash("sha256").update(bytes).digest("hex");

describe("asset cursors and patterns", () => {
  it("round-trips a cursor and refuses anything else", () => {
    const at = "2026-11-02T10:00:00.123Z";
    expect(decodeAssetCursor(encodeAssetCursor(at, "ast_abc"))).toEqual({ createdAt: at, id: "ast_abc" });
    expect(encodeAssetCursor(at, `ast_${"a".repeat(26)}`).length).toBeLessThanOrEqual(80); // assetQuerySchema's limit
    for (const bad of ["", "bm90LWEtY3Vyc29y", Buffer.from(`${at}|ast x`).toString("base64url"), Buffer.from("2026-11-02|ast_a").toString("base64url"), "a+b/"])
      expect(() => decodeAssetCursor(bad)).toThrow(InvalidCursorError);
  });

  it("takes %, _ and ! literally and folds only A-Z", () => {
    expect(promptPattern("100%_Off!")).toBe("%100!%!_off!!%");
    expect(promptPattern("École")).toBe("%École%");
  });
});

describe.each(DB_KINDS)("asset repo on %s", (kind) => {
  let t: TestStores;
  let repo: SqlAssetRepo;
  beforeEach(async () => {
    t = await openTestStores(kind);
    repo = new SqlAssetRepo(t.db, t.blobs);
  });
  afterEach(() => t.cleanup());

  async function team(name = "Member"): Promise<Who> {
    const { id: teamId } = await seedTeam(t.db);
    const memberId = await seedMember(t.db, teamId, { name });
    return { teamId, memberId, jobId: await seedJob(t.db, { teamId, memberId }) };
  }

  async function member(of: Who, name: string): Promise<Who> {
    const memberId = await seedMember(t.db, of.teamId, { name });
    return { teamId: of.teamId, memberId, jobId: await seedJob(t.db, { teamId: of.teamId, memberId }) };
  }

  /** An asset stored as the job store does: inside a transaction, with its bytes. */
  async function add(who: Who, a: AssetInput = {}, on: SqlAssetRepo = repo, db: Db = t.db): Promise<AssetRecord> {
    const bytes = Buffer.from(a.bytes ?? newId("ast"));
    const operation = a.operation ?? "create";
    const record = await db.tx((sql) =>
      on.insert(
        sql,
        {
          id: newId("ast"),
          teamId: who.teamId,
          jobId: who.jobId,
          memberId: who.memberId,
          sha256: sha(bytes.toString()),
          contentType: "image/png",
          width: 64,
          height: 48,
          bytes: bytes.byteLength,
          cost: 2,
          operation,
          operationKey: a.operationKey ?? operation,
          provider: a.provider === undefined ? "local" : a.provider,
          model: "procedural",
          prompt: a.prompt === undefined ? "a lighthouse" : a.prompt,
          params: { quality: "draft", seed: 7 },
          parentAssetId: null,
          format: a.format ?? null,
        },
        0,
        bytes,
      ),
    );
    if (!a.createdAt) return record;
    await t.db.run("UPDATE assets SET created_at = $1 WHERE id = $2", [a.createdAt, record.id]);
    return { ...record, createdAt: a.createdAt };
  }

  /** Every page of a query, following nextCursor. */
  async function all(teamId: string, query: AssetListQuery = {}): Promise<ListedAsset[]> {
    const out: ListedAsset[] = [];
    let cursor: string | undefined;
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(100);
      const page = await repo.list(teamId, { ...query, ...(cursor ? { cursor } : {}) });
      out.push(...page.assets);
      if (!page.nextCursor) return out;
      expect(page.assets).toHaveLength(query.limit ?? 50);
      cursor = page.nextCursor;
    }
  }

  const ids = (list: readonly { id: string }[]) => list.map((a) => a.id);
  /** Newest first, the id breaking ties, as the library orders. */
  const newestFirst = <T extends { id: string; createdAt: string }>(list: readonly T[]): T[] =>
    [...list].sort((x, y) => (x.createdAt === y.createdAt ? (x.id < y.id ? 1 : -1) : x.createdAt < y.createdAt ? 1 : -1));

  const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 10, minute)).toISOString();

  it("pages newest first across equal timestamps, never skipping or repeating an asset", async () => {
    const who = await team();
    const made: AssetRecord[] = [];
    // 23 assets on 5 distinct times, so most page boundaries fall inside a run of equal times.
    for (let i = 0; i < 23; i++) made.push(await add(who, { createdAt: at(i % 5), operation: i % 2 ? "edit" : "create" }));
    const expected = ids(newestFirst(made));
    for (const limit of [1, 2, 3, 4, 7, 23, 50]) expect(ids(await all(who.teamId, { limit }))).toEqual(expected);
    // With a filter, the cursor walks the filter's own index the same way.
    expect(ids(await all(who.teamId, { limit: 2, type: "edit" }))).toEqual(ids(newestFirst(made.filter((a) => a.operation === "edit"))));
    // Assets added after the first page do not shift the later pages.
    const first = await repo.list(who.teamId, { limit: 5 });
    await add(who, { createdAt: at(9) });
    const rest = await all(who.teamId, { limit: 5, cursor: first.nextCursor! });
    expect([...ids(first.assets), ...ids(rest)]).toEqual(expected);
  });

  it("shows each asset with its member's name and every stored field", async () => {
    const who = await team("Ada");
    const a = await add(who, { operation: "social", operationKey: "social", format: "instagram-story", prompt: null });
    const { assets, nextCursor } = await repo.list(who.teamId);
    expect(nextCursor).toBeNull();
    expect(assets).toEqual([{ ...a, memberName: "Ada" }]);
    expect(assets[0]).toMatchObject({ params: { quality: "draft", seed: 7 }, format: "instagram-story", cost: 2, operationKey: "social" });
  });

  it("filters by type, operation, provider, member, date range and prompt text", async () => {
    const ada = await team("Ada");
    const bo = await member(ada, "Bo");
    const a1 = await add(ada, { createdAt: at(1), operation: "create", provider: "local", prompt: "A Lighthouse at DUSK" });
    const a2 = await add(ada, { createdAt: at(2), operation: "edit", operationKey: "edit.inpaint", provider: "stability", prompt: "remove the boat" });
    const a3 = await add(bo, { createdAt: at(3), operation: "edit", operationKey: "edit.remove-background", provider: "local", prompt: null });
    const a4 = await add(bo, { createdAt: at(4), operation: "upscale", operationKey: "upscale.fast", provider: null, prompt: "lighthouse, sharper" });
    const list = async (query: AssetListQuery) => ids(await all(ada.teamId, query));

    expect(await list({})).toEqual(ids([a4, a3, a2, a1]));
    expect(await list({ type: "edit" })).toEqual(ids([a3, a2]));
    expect(await list({ operation: "edit.inpaint" })).toEqual(ids([a2]));
    expect(await list({ operation: "upscale.fast" })).toEqual(ids([a4]));
    expect(await list({ provider: "local" })).toEqual(ids([a3, a1]));
    expect(await list({ member: bo.memberId })).toEqual(ids([a4, a3]));
    // Half-open: from is included, to is not.
    expect(await list({ from: at(2), to: at(4) })).toEqual(ids([a3, a2]));
    expect(await list({ from: at(4) })).toEqual(ids([a4]));
    expect(await list({ to: at(1) })).toEqual([]);
    // Case-insensitive substring of the prompt; an asset without a prompt never matches.
    expect(await list({ q: "LIGHTHOUSE" })).toEqual(ids([a4, a1]));
    expect(await list({ q: "dusk" })).toEqual(ids([a1]));
    expect(await list({ q: "house at" })).toEqual(ids([a1]));
    // Filters combine.
    expect(await list({ type: "edit", provider: "local", member: bo.memberId })).toEqual(ids([a3]));
    expect(await list({ q: "lighthouse", from: at(2), limit: 1 })).toEqual(ids([a4]));
  });

  it("takes %, _ and the escape character in q literally", async () => {
    const who = await team();
    const pct = await add(who, { prompt: "100% cotton shirt" });
    await add(who, { prompt: "1000 cotton shirts" });
    const under = await add(who, { prompt: "file_name.png" });
    await add(who, { prompt: "file-name.png" });
    const bang = await add(who, { prompt: "Wow! Great" });
    await add(who, { prompt: "wow, great" });
    expect(ids(await all(who.teamId, { q: "100%" }))).toEqual([pct.id]);
    expect(ids(await all(who.teamId, { q: "%" }))).toEqual([pct.id]);
    expect(ids(await all(who.teamId, { q: "e_n" }))).toEqual([under.id]);
    expect(ids(await all(who.teamId, { q: "wow!" }))).toEqual([bang.id]);
    expect(ids(await all(who.teamId, { q: "!%" }))).toEqual([]);
  });

  it("keeps teams apart: list, get and delete never reach another team's assets", async () => {
    const mine = await team();
    const theirs = await team();
    const a = await add(mine);
    const b = await add(theirs);
    expect(ids(await all(mine.teamId))).toEqual([a.id]);
    expect(ids(await all(theirs.teamId))).toEqual([b.id]);
    // A member filter naming another team's member finds nothing (the route answers 404 before asking).
    expect(await all(mine.teamId, { member: theirs.memberId })).toEqual([]);
    expect(await repo.get(mine.teamId, b.id)).toBeNull();
    expect(await repo.delete(mine.teamId, b.id)).toBeNull();
    expect((await repo.get(theirs.teamId, b.id))?.id).toBe(b.id);
    expect(await t.blobs.has(b.sha256)).toBe(true);
  });

  it("refuses a cursor it never gave out", async () => {
    const who = await team();
    await expect(repo.list(who.teamId, { cursor: "bm90LWEtY3Vyc29y" })).rejects.toThrow(InvalidCursorError);
  });

  async function blobRow(sha256: string): Promise<boolean> {
    return (await t.db.one("SELECT sha256 FROM blobs WHERE sha256 = $1", [sha256])) !== undefined;
  }

  it("frees the bytes with the last asset of any team that refers to them", async () => {
    const mine = await team();
    const theirs = await team();
    const a = await add(mine, { bytes: "same image" });
    const b = await add(theirs, { bytes: "same image" });
    expect(a.sha256).toBe(b.sha256);

    const deleted = await repo.delete(mine.teamId, a.id);
    expect(deleted?.id).toBe(a.id);
    expect(await repo.get(mine.teamId, a.id)).toBeNull();
    expect(await repo.delete(mine.teamId, a.id)).toBeNull(); // twice: gone
    // The other team's asset still refers to the bytes.
    expect(await t.blobs.has(a.sha256)).toBe(true);
    expect(await blobRow(a.sha256)).toBe(true);

    await repo.delete(theirs.teamId, b.id);
    expect(await t.blobs.has(a.sha256)).toBe(false);
    expect(await blobRow(a.sha256)).toBe(false);
    // The same bytes stored again come back.
    const c = await add(mine, { bytes: "same image" });
    expect((await t.blobs.get(c.sha256))?.toString()).toBe("same image");
  });

  it("keeps the bytes while an unfinished job has them as input", async () => {
    const who = await team();
    const a = await add(who, { bytes: "input image" });
    const job = await seedJob(t.db, { teamId: who.teamId, memberId: who.memberId });
    await t.db.run("UPDATE jobs SET status = 'queued', inputs = $1 WHERE id = $2", [JSON.stringify({ image: a.sha256 }), job]);
    await repo.delete(who.teamId, a.id);
    expect(await t.blobs.has(a.sha256)).toBe(true);
    expect(await blobRow(a.sha256)).toBe(true);

    // Once that job finished, the next delete of an asset with those bytes frees them.
    await t.db.run("UPDATE jobs SET status = 'succeeded' WHERE id = $1", [job]);
    const again = await add(who, { bytes: "input image" });
    await repo.delete(who.teamId, again.id);
    expect(await t.blobs.has(a.sha256)).toBe(false);
    expect(await blobRow(a.sha256)).toBe(false);
  });

  /** This repo, plus (PostgreSQL) `n` repos on connection pools of their own sharing the blob store, as other
   * proxy instances would; on SQLite the one connection's transaction queue serialises them. */
  async function repos(n: number): Promise<{ repo: SqlAssetRepo; db: Db }[]> {
    if (kind !== "postgres") return [{ repo, db: t.db }];
    const dbs = await t.connect(n);
    return [{ repo, db: t.db }, ...dbs.map((db) => ({ repo: new SqlAssetRepo(db, t.blobs), db }))];
  }

  it("never leaves an asset without its bytes when inserts of the same bytes race deletes", async () => {
    const mine = await team();
    const theirs = await team();
    const on = await repos(4);
    const pick = (i: number) => on[i % on.length]!;
    const bytes = "contended image";
    const x = sha(bytes);
    for (let round = 0; round < 25; round++) {
      // One or two assets hold the bytes; then deletes of them race new inserts of the same bytes.
      const victims = [await add(mine, { bytes })];
      if (round % 2) victims.push(await add(theirs, { bytes }));
      const inserts = 1 + (round % 4);
      const results = await Promise.all([
        ...victims.map((v, i) => pick(round + i).repo.delete(v.teamId, v.id)),
        ...Array.from({ length: inserts }, (_, i) => {
          const { repo: r, db } = pick(round + i + 1);
          return add(i % 2 ? theirs : mine, { bytes }, r, db);
        }),
      ]);
      expect(results.slice(0, victims.length).every((d) => d !== null)).toBe(true);
      const left = await t.db.all<{ id: string }>("SELECT id FROM assets WHERE sha256 = $1", [x]);
      expect(left).toHaveLength(inserts);
      expect(await t.blobs.has(x)).toBe(true);
      expect(await blobRow(x)).toBe(true);
      // Clean up concurrently too: the last delete frees the bytes, whichever it is.
      const teamOf = new Map([...(await all(mine.teamId)).map((a) => [a.id, mine.teamId] as const), ...(await all(theirs.teamId)).map((a) => [a.id, theirs.teamId] as const)]);
      await Promise.all(left.map((a, i) => pick(round + i).repo.delete(teamOf.get(a.id)!, a.id)));
      expect(await t.db.one("SELECT id FROM assets WHERE sha256 = $1", [x])).toBeUndefined();
      expect(await t.blobs.has(x)).toBe(false);
      expect(await blobRow(x)).toBe(false);
    }
  });
});
