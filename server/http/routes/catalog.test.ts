import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogResponseSchema } from "../../../core/api/responses.ts";
import { DEFAULT_CATALOG } from "../../../core/catalog/default-catalog.ts";
import { startTestServer, type TestServer } from "../../test-support/harness.ts";
import { errorResponseSchema as errors } from "../../../core/api/errors.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe("GET /v1/catalog", () => {
  it("needs a token", async () => {
    const res = await s.call("/v1/catalog");
    expect(res.status).toBe(401);
    expect(errors.parse(await res.json()).error.code).toBe("unauthorized");
  });

  it("returns the catalog and which providers are configured", async () => {
    const { token } = await s.createTeam("free");
    const res = await s.call("/v1/catalog", { token });
    expect(res.status).toBe(200);
    const body = catalogResponseSchema.parse(await res.json());
    expect(body.catalog).toEqual(DEFAULT_CATALOG);
    expect(body.providers.map((p) => [p.id, p.configured])).toEqual([
      ["stability", false],
      ["wavespeed", false],
      ["huggingface", false],
      ["gemini", false],
      ["local", true],
    ]);
    expect(body.providers.find((p) => p.id === "gemini")?.reason).toContain("GEMINI_API_KEY");
  });

  it("names the models their provider reported gone, with why and since when", async () => {
    const { token } = await s.createTeam("free");
    await s.deps.providers.retire("gemini", "gemini-3-pro-image", "Gemini no longer serves gemini-3-pro-image (404: not found)");
    const body = catalogResponseSchema.parse(await (await s.call("/v1/catalog", { token })).json());
    expect(body.providers.find((p) => p.id === "gemini")?.unavailableModels).toEqual([
      { model: "gemini-3-pro-image", reason: "Gemini no longer serves gemini-3-pro-image (404: not found)", since: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) },
    ]);
    expect(body.providers.find((p) => p.id === "local")?.unavailableModels).toBeUndefined();
  });

  it("serves the operator's catalog and follows the keys in the environment", async () => {
    const custom = structuredClone(DEFAULT_CATALOG);
    custom.version = "acme-7";
    const own = await startTestServer({ catalog: custom, env: { GEMINI_API_KEY: "g-key" }, adapters: [{ id: "gemini", supports: () => true, create: async () => ({ images: [] }) }] });
    try {
      const { token } = await own.createTeam("pro");
      const body = catalogResponseSchema.parse(await (await own.call("/v1/catalog", { token })).json());
      expect(body.catalog.version).toBe("acme-7");
      expect(body.providers.filter((p) => p.configured).map((p) => p.id)).toEqual(["gemini", "local"]);
      expect(JSON.stringify(body)).not.toContain("g-key");
    } finally {
      await own.close();
    }
  });
});

