// How fast the cost badge can re-price: estimate() on the default catalog, as the panel calls it on every
// keystroke and the server on every job.
import { performance } from "node:perf_hooks";
import { planSchema, jobSpecSchema } from "../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../core/catalog/default-catalog.ts";
import { catalogSchema } from "../core/catalog/schema.ts";
import { estimate } from "../core/estimate.ts";
import { summarize } from "./stats.ts";

const catalog = catalogSchema.parse(DEFAULT_CATALOG);
const spec = jobSpecSchema.parse({ operation: "create", prompt: "a lighthouse at dawn", quality: "standard", variations: 4, aspectRatio: "16:9" });
const plan = planSchema.parse({
  plan: [
    { operation: "create", prompt: "library", quality: "draft", count: 20 },
    { operation: "edit", kind: "general", prompt: "warmer", input: { width: 1024, height: 1024 }, count: 10 },
    { operation: "upscale", mode: "fast", input: { width: 1024, height: 1024 }, count: 5 },
  ],
});
const ctx = { tier: "pro" as const, available: 1000, configuredProviders: ["local"] };

function run(name: string, fn: () => unknown, n: number): void {
  for (let i = 0; i < 1000; i++) fn(); // warm up the JIT
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  console.log(summarize(name, samples, performance.now() - start));
}

run("estimate(create spec)", () => estimate(spec, catalog, ctx), 100_000);
run("estimate(3-step plan)", () => estimate(plan, catalog, ctx), 50_000);
run("parse + estimate (badge path)", () => estimate(jobSpecSchema.parse({ operation: "create", prompt: "x", quality: "premium" }), catalog, ctx), 50_000);
