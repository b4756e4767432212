// A proxy configured for a bucket it cannot use refuses to start with one clear line (naming the bucket,
// never the secret), instead of starting and answering 404 for every image.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startS3Server, type S3TestServer } from "../../server/test-support/s3-server.ts";
import { spawnServerExpectingExit } from "../../server/test-support/spawn-server.ts";

let s3: S3TestServer;
let dir: string;
beforeAll(async () => {
  [s3, dir] = await Promise.all([startS3Server(), mkdtemp(join(tmpdir(), "s3-start-"))]);
  await s3.createBucket("studio-assets");
}, 30_000);
afterAll(async () => {
  await s3?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it.concurrent("exits 1 naming a bucket that does not exist", async () => {
  const r = await spawnServerExpectingExit({ DATA_DIR: join(dir, "a"), ...s3.env("no-such-bucket") });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('Cannot use the S3 bucket "no-such-bucket"');
  expect(r.stderr).toContain("no such bucket");
  expect(r.stderr).not.toMatch(/\n\s+at /);
}, 30_000);

it.concurrent("exits 1 on credentials the store refuses (an unknown key id), without printing the secret", async () => {
  const r = await spawnServerExpectingExit({ DATA_DIR: join(dir, "b"), ...s3.env("studio-assets"), S3_ACCESS_KEY_ID: "UNKNOWNKEY", S3_SECRET_ACCESS_KEY: "wrong-secret-0123456789" });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('Cannot use the S3 bucket "studio-assets"');
  expect(r.stderr).toContain("access denied (check the credentials and s3:ListBucket)");
  expect(r.stderr + r.stdout).not.toContain("wrong-secret-0123456789");
}, 30_000);
