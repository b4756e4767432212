// Test-only provider adapters, registered through deps (startServer's `adapters`) under the `local` id so
// the default routing reaches them.
import { renderProceduralPng } from "../providers/procedural-image.ts";
import { ProviderError, type CreateRequest, type ProviderAdapter, type ProviderImage } from "../providers/types.ts";

async function images(request: CreateRequest, count: number): Promise<ProviderImage[]> {
  const out: ProviderImage[] = [];
  for (let i = 0; i < count; i++)
    out.push({ bytes: await renderProceduralPng(request.prompt, request.seed + i, request.width, request.height), contentType: "image/png", width: request.width, height: request.height });
  return out;
}

/** Always fails with `error`. */
export function failingProvider(error: Error = new ProviderError("provider_error", "The upstream service is down"), id = "local"): ProviderAdapter & { calls: number } {
  const adapter = {
    id,
    calls: 0,
    async create(): Promise<ProviderImage[]> {
      adapter.calls++;
      throw error;
    },
  };
  return adapter;
}

/** Delivers only `delivered` of the requested images. */
export function partialProvider(delivered: number, id = "local"): ProviderAdapter {
  return { id, create: (request) => images(request, Math.min(delivered, request.count)) };
}

/** Never answers on its own; honours the abort signal only if `honourSignal`. */
export function hangingProvider(honourSignal = true, id = "local"): ProviderAdapter {
  return {
    id,
    create: (_request, signal) =>
      new Promise<ProviderImage[]>((_resolve, reject) => {
        if (honourSignal) signal.addEventListener("abort", () => reject(new ProviderError("provider_error", "aborted")), { once: true });
      }),
  };
}

/** Returns bytes that are not an image. */
export function garbageProvider(id = "local"): ProviderAdapter {
  return { id, create: async (r) => [{ bytes: Buffer.from("definitely not a png"), contentType: "image/png", width: r.width, height: r.height }] };
}

/** Waits for `release()` before delivering: lets a test look at a running job. */
export function gatedProvider(id = "local"): ProviderAdapter & { release(): void; started: Promise<void> } {
  let open!: () => void;
  let markStarted!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const started = new Promise<void>((r) => (markStarted = r));
  return {
    id,
    started,
    release: () => open(),
    async create(request) {
      markStarted();
      await gate;
      return images(request, request.count);
    },
  };
}
