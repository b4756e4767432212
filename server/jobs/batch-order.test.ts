// A batch's items reach the provider in index order (docs/architecture.md "provider queue": first come first
// served within a priority), on both databases: with one provider slot, items 0..5 are started one after
// another in the order the designer made them, so their results arrive in that order too.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchResponseSchema } from "../../core/api/responses.ts";
import { createTestDatabaseUrl, DB_KINDS, type TestDatabaseUrl } from "../test-support/databases.ts";
import { startStabilityFake, type StabilityFake } from "../test-support/fakes/stability-fake.ts";
import { startTestServer, type TestServer } from "../test-support/harness.ts";

describe.each(DB_KINDS)("a batch's items in order (%s)", (kind) => {
  let db: TestDatabaseUrl | undefined;
  let s: TestServer;
  let stability: StabilityFake;

  beforeAll(async () => {
    db = kind === "postgres" ? await createTestDatabaseUrl("postgres") : undefined;
    stability = await startStabilityFake();
    s = await startTestServer({
      env: { STABILITY_API_KEY: stability.apiKey, STABILITY_BASE_URL: stability.url, PROVIDER_CONCURRENCY: "1", ...(db ? { DATABASE_URL: db.url } : {}) },
    });
  });
  afterAll(async () => {
    await s?.close();
    await stability?.close();
    await db?.cleanup();
  });

  it("starts the 6 items of a batch in index order with one provider slot", async () => {
    const { token } = await s.createTeam("pro");
    // Each call takes a moment, so every later item is waiting in line while an earlier one runs.
    stability.when("generate/core", () => true, { delayMs: 40 });
    const items = Array.from({ length: 6 }, (_, i) => ({ operation: "create", prompt: `item ${i}`, quality: "standard", provider: "stability", model: "core", aspectRatio: "1:1" }));
    const res = await s.call("/v1/batches", { token, json: { items }, headers: { "Idempotency-Key": randomUUID() } });
    expect(res.status).toBe(202);
    const { batch } = batchResponseSchema.parse(await res.json());

    const until = Date.now() + 20_000;
    for (;;) {
      const now = batchResponseSchema.parse(await (await s.call(`/v1/batches/${batch.id}`, { token })).json()).batch;
      if (now.status === "succeeded") break;
      if (["partial", "failed"].includes(now.status) || Date.now() > until) throw new Error(`batch ${batch.id} ended ${now.status}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const prompts = stability.requestsTo("generate/core").map((r) => r.form?.get("prompt"));
    expect(prompts).toEqual(items.map((i) => i.prompt));
  });
});
