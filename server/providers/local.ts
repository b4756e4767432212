// The `local` provider (model `procedural`): offline, keyless, and deterministic, so the product works end to
// end without any provider account, and tests can check exact bytes.
import { renderProceduralPng } from "./procedural-image.ts";
import { ProviderError, type CreateRequest, type ProviderAdapter, type ProviderImage } from "./types.ts";

export class LocalProvider implements ProviderAdapter {
  readonly id = "local";

  async create(request: CreateRequest, signal: AbortSignal): Promise<ProviderImage[]> {
    const images: ProviderImage[] = [];
    for (let i = 0; i < request.count; i++) {
      if (signal.aborted) throw new ProviderError("provider_error", "The local provider was stopped before it finished");
      const seed = (request.seed + i) >>> 0;
      const bytes = await renderProceduralPng(request.prompt, seed, request.width, request.height);
      images.push({ bytes, contentType: "image/png", width: request.width, height: request.height });
      request.onImage?.(i + 1);
    }
    return images;
  }
}
