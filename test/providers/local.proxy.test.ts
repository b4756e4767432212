// The local (offline) provider through the proxy's HTTP API with no provider key at all: every operation it
// does is posted as the panel posts it and comes back succeeded, charged exactly its estimate, with downloadable
// canvas-ready images; the operations it cannot do honestly offline are refused at POST time (503) with
// nothing held.
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { catalogResponseSchema } from "../../core/api/responses.ts";
import { startTestServer, type TestServer, type TestTeam } from "../../server/test-support/harness.ts";
import { expectRefused, expectSucceeded, mask, picture, submit } from "./support.ts";

let s: TestServer;
let team: TestTeam;

beforeAll(async () => {
  s = await startTestServer({ env: {} });
});
afterAll(() => s?.close());
beforeEach(async () => {
  team = await s.createTeam("pro");
});

describe("local provider through the proxy, no keys", () => {
  it("only local is configured; every other provider names its env var", async () => {
    const { providers } = catalogResponseSchema.parse(await (await s.call("/v1/catalog", { token: team.token })).json());
    expect(providers.filter((p) => p.configured).map((p) => p.id)).toEqual(["local"]);
    expect(providers.filter((p) => !p.configured).every((p) => p.reason?.startsWith("Set "))).toBe(true);
  });

  it("create at every quality (auto → local procedural), with variations, charged the estimate", async () => {
    const sub = await submit(s, team, { operation: "create", prompt: "a lighthouse at dawn", quality: "draft", variations: 2, aspectRatio: "16:9" });
    expect(sub.job.route).toEqual({ provider: "local", model: "procedural" });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(4);
    expect(images.map((i) => [i.format, i.width, i.height])).toEqual([
      ["png", 1344, 768],
      ["png", 1344, 768],
    ]);
    for (const [quality, credits] of [["standard", 4], ["premium", 6]] as const) {
      const other = await submit(s, team, { operation: "create", prompt: `a lighthouse, ${quality}`, quality, aspectRatio: { width: 320, height: 256 } });
      expect(other.job.route).toEqual({ provider: "local", model: "procedural" });
      expect((await expectSucceeded(s, team, other)).job.charged).toBe(credits);
    }
  });

  it("edit remove-background: a PNG with alpha of the input's size", async () => {
    const sub = await submit(s, team, { operation: "edit", kind: "remove-background" }, { image: await picture(320, 240, { format: "jpeg" }) });
    expect(sub.job.route).toEqual({ provider: "local", model: null });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(3);
    expect(images[0]).toMatchObject({ format: "png", width: 320, height: 240 });
    expect((await sharp(images[0]!.bytes).metadata()).hasAlpha).toBe(true);
  });

  it("edit inpaint and erase: the masked area filled, the image's size kept", async () => {
    for (const [kind, credits] of [["inpaint", 4], ["erase", 3]] as const) {
      const sub = await submit(s, team, { operation: "edit", kind, prompt: "a red door" }, { image: await picture(300, 200), mask: await mask(300, 200) });
      const { job, images } = await expectSucceeded(s, team, sub);
      expect(job.charged).toBe(credits);
      expect(images[0]).toMatchObject({ width: 300, height: 200 });
    }
  });

  it("edit outpaint: the canvas grows by the expand amounts", async () => {
    const sub = await submit(s, team, { operation: "edit", kind: "outpaint", expand: { left: 40, right: 0, up: 10, down: 30 } }, { image: await picture(200, 100) });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(5);
    expect(images[0]).toMatchObject({ width: 240, height: 140 });
  });

  it("edit search-recolor: the named colour is recoloured", async () => {
    const sub = await submit(s, team, { operation: "edit", kind: "search-recolor", prompt: "red", selectPrompt: "the yellow square" }, { image: await picture(200, 200) });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(4);
    expect(images[0]).toMatchObject({ width: 200, height: 200 });
  });

  it("upscale fast (4x), conservative and creative (to the 4,096 px canvas limit)", async () => {
    const expected = { fast: [1024, 256, 2], conservative: [4096, 1024, 6], creative: [4096, 1024, 6] } as const;
    for (const [mode, [width, height, credits]] of Object.entries(expected)) {
      const sub = await submit(s, team, { operation: "upscale", mode }, { image: await picture(256, 64) });
      expect(sub.job.route).toEqual({ provider: "local", model: null });
      const { job, images } = await expectSucceeded(s, team, sub, 30_000);
      expect(job.charged).toBe(credits);
      expect(images[0]).toMatchObject({ format: "png", width, height });
    }
  });

  it("what local cannot do offline (search-replace, general, relight) is 503 at POST time, nothing held", async () => {
    const image = await picture(256, 256);
    const cases = [
      { operation: "edit", kind: "search-replace", prompt: "a cat", searchPrompt: "the dog" },
      { operation: "edit", kind: "general", prompt: "make it winter" },
      { operation: "edit", kind: "replace-background-relight", prompt: "a beach" },
    ];
    for (const spec of cases) {
      const error = await expectRefused(s, team, spec, "provider_unavailable", { image });
      expect(error.message).toMatch(/No configured provider|cannot do/);
    }
    // An explicit keyed provider is refused the same way.
    await expectRefused(s, team, { operation: "upscale", mode: "fast", provider: "stability" }, "provider_unavailable", { image });
  });

  it("an image local cannot enlarge (already 4,096 px long) → 415 naming the limit, nothing held", async () => {
    const big = await sharp({ create: { width: 4096, height: 64, channels: 3, background: "#808080" } }).png().toBuffer();
    const error = await expectRefused(s, team, { operation: "upscale", mode: "fast" }, "unsupported_image", { image: big });
    expect(error.details).toMatchObject({ provider: "local", limit: { maxLongSide: 4095 } });
  });
});
