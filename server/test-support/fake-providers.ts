// Test-only adapters for the job runner's own behaviour (a gate to look at a running job, a hang to hit the
// timeout, partial batches), registered through startServer's `adapters` under the `local` id so the default
// routing reaches them. Providers' HTTP behaviour is tested against the real-HTTP fakes in fakes/.
import { renderProceduralPng } from "../providers/procedural-image.ts";
import { ProviderError, type CreateRequest, type ProviderAdapter, type ProviderOutcome } from "../providers/types.ts";

const supports = (op: string) => op === "create";

async function images(request: CreateRequest, count: number): Promise<ProviderOutcome> {
  const out = [];
  for (let i = 0; i < count; i++)
    out.push({ bytes: await renderProceduralPng(request.prompt, request.seed + i, request.width, request.height), contentType: "image/png" as const, width: request.width, height: request.height });
  return { images: out };
}

/** Always fails with `error`. */
export function failingProvider(error: Error = new ProviderError("provider_error", "The upstream service is down"), id = "local"): ProviderAdapter & { calls: number } {
  const adapter = {
    id,
    calls: 0,
    supports,
    async create(): Promise<ProviderOutcome> {
      adapter.calls++;
      throw error;
    },
  };
  return adapter;
}

/** Delivers only `delivered` of the requested images. */
export function partialProvider(delivered: number, id = "local"): ProviderAdapter {
  return { id, supports, create: (request) => images(request, Math.min(delivered, request.count)) };
}

/** Never answers on its own; honours the abort signal only if `honourSignal`. */
export function hangingProvider(honourSignal = true, id = "local"): ProviderAdapter {
  return {
    id,
    supports,
    create: (_request, signal) =>
      new Promise<ProviderOutcome>((_resolve, reject) => {
        if (honourSignal) signal.addEventListener("abort", () => reject(new ProviderError("provider_error", "aborted")), { once: true });
      }),
  };
}

/** Returns bytes that are not an image. */
export function garbageProvider(id = "local"): ProviderAdapter {
  return { id, supports, create: async (r) => ({ images: [{ bytes: Buffer.from("definitely not a png"), contentType: "image/png", width: r.width, height: r.height }] }) };
}

/** Waits for `release()` before delivering: lets a test look at a running job. */
export function gatedProvider(id = "local"): ProviderAdapter & { release(): void; started: Promise<void> } {
  let open!: () => void;
  let markStarted!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const started = new Promise<void>((r) => (markStarted = r));
  return {
    id,
    supports,
    started,
    release: () => open(),
    async create(request) {
      markStarted();
      await gate;
      return images(request, request.count);
    },
  };
}
