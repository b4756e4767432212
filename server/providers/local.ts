// The `local` provider (model `procedural`): offline, keyless, and deterministic, so the product works end to
// end without any provider account, and tests can check exact bytes. Beyond create it does every operation
// that sharp and a little pixel arithmetic can do honestly (local-ops/*); what needs a generative model
// (search-replace, general edit, relight) it declares unsupported, so the registry never routes it here.
//
// Size policy: the canvas limit is 4096 px on the long side. Inputs over it are refused. Upscales are capped
// at it: "fast" is 4x up to 1024 px inputs and less above (a 2048 px image becomes 4096, i.e. 2x), and an
// input already at the limit is refused because it cannot be enlarged. Outpaint cannot be capped without
// changing what was asked, so a result over the limit is refused (at edit time: InputCheck has no expand).
import type { OperationKey } from "../../core/catalog/schema.ts";
import { fillMask } from "./local-ops/fill-mask.ts";
import { outpaint, outpaintSize } from "./local-ops/outpaint.ts";
import { CANVAS_LIMIT, inputError } from "./local-ops/raster.ts";
import { removeBackground } from "./local-ops/remove-background.ts";
import { recolor, targetColour } from "./local-ops/search-recolor.ts";
import { upscale } from "./local-ops/upscale.ts";
import { maskFromAlpha } from "./local-ops/raster.ts";
import { renderProceduralPng } from "./procedural-image.ts";
import { Slots } from "../slots.ts";
import {
  ProviderError,
  type CreateRequest,
  type EditRequest,
  type InputCheck,
  type ProviderAdapter,
  type ProviderImage,
  type ProviderOutcome,
  type UpscaleRequest,
} from "./types.ts";

/** The operations the local provider really does, and nothing else. */
export const LOCAL_OPERATIONS: readonly OperationKey[] = [
  "create",
  "edit.remove-background",
  "edit.inpaint",
  "edit.erase",
  "edit.outpaint",
  "edit.search-recolor",
  "upscale.fast",
  "upscale.conservative",
  "upscale.creative",
];

const SUPPORTED = new Set<OperationKey>(LOCAL_OPERATIONS);

function stopped(signal: AbortSignal): void {
  if (signal.aborted) throw new ProviderError("provider_error", "The local provider was stopped before it finished");
}

export class LocalProvider implements ProviderAdapter {
  readonly id = "local";

  /** Its work is the proxy's own heavy image work: each operation waits for one of the process's image slots. */
  constructor(private readonly imageWork: Slots = new Slots(1)) {}

  supports(operation: OperationKey): boolean {
    return SUPPORTED.has(operation);
  }

  checkInput(input: InputCheck): void {
    if (!this.supports(input.operation))
      throw inputError("invalid_request", `The local provider cannot do ${input.operation} offline`, { limit: [...LOCAL_OPERATIONS] });
    // The recolour target must be a colour it can read; say so before anything is held.
    if (input.operation === "edit.search-recolor" && input.prompt !== undefined) targetColour(input.prompt);
    const image = input.image;
    if (!image) return;
    const long = Math.max(image.width, image.height);
    if (long > CANVAS_LIMIT)
      throw inputError("unsupported_image", `The image is ${image.width}x${image.height}; the local provider works on images up to ${CANVAS_LIMIT} px on the long side`, {
        field: "image",
        limit: { maxLongSide: CANVAS_LIMIT },
      });
    if (input.operation === "edit.outpaint" && input.expand) {
      const out = outpaintSize(image.width, image.height, input.expand);
      if (Math.max(out.width, out.height) > CANVAS_LIMIT)
        throw inputError("unsupported_image", `Outpainting would make a ${out.width}x${out.height} image; the canvas takes at most ${CANVAS_LIMIT} px on the long side`, {
          field: "expand",
          limit: { maxLongSide: CANVAS_LIMIT },
        });
    }
    if (input.operation.startsWith("upscale.") && long >= CANVAS_LIMIT)
      throw inputError("unsupported_image", `The image is already ${CANVAS_LIMIT} px on its long side, the largest an upscale can make`, {
        field: "image",
        limit: { maxLongSide: CANVAS_LIMIT - 1 },
      });
  }

  create(request: CreateRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    return this.inSlot(() => this.render(request, signal), signal);
  }

  edit(request: EditRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    return this.inSlot(() => this.change(request, signal), signal);
  }

  upscale(request: UpscaleRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    return this.inSlot(() => this.enlarge(request, signal), signal);
  }

  /** An abort while waiting for the slot reads as any other stop of the provider. */
  private async inSlot(work: () => Promise<ProviderOutcome>, signal: AbortSignal): Promise<ProviderOutcome> {
    stopped(signal);
    try {
      return await this.imageWork.run(work, signal);
    } catch (error) {
      if (!(error instanceof ProviderError)) stopped(signal);
      throw error;
    }
  }

  private async render(request: CreateRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    const images: ProviderImage[] = [];
    for (let i = 0; i < request.count; i++) {
      stopped(signal);
      const seed = (request.seed + i) >>> 0;
      const bytes = await renderProceduralPng(request.prompt, seed, request.width, request.height);
      images.push({ bytes, contentType: "image/png", width: request.width, height: request.height });
      request.onImage?.(i + 1);
    }
    return { images };
  }

  private async change(request: EditRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    stopped(signal);
    const image = request.image.bytes;
    switch (request.kind) {
      case "remove-background":
        return { images: [await removeBackground(image)] };
      case "inpaint":
      // The prompt cannot be honoured offline: inpaint fills the mask from its surroundings, like erase.
      case "erase":
        // Without a mask part, the image's transparent pixels are the area to fill (as Stability reads it).
        return { images: [await fillMask(image, request.mask?.bytes ?? (await maskFromAlpha(image)))] };
      case "outpaint":
        if (!request.expand) throw inputError("invalid_request", "outpaint needs expand (left, right, up, down)", { field: "expand" });
        return { images: [await outpaint(image, request.expand)] };
      case "search-recolor":
        return { images: [await recolor(image, { select: request.selectPrompt ?? "", to: request.prompt ?? "" })] };
      case "search-replace":
      case "general":
      case "replace-background-relight":
        throw inputError("invalid_request", `The local provider cannot do edit.${request.kind} offline: it needs a generative model`, {
          limit: [...LOCAL_OPERATIONS],
        });
    }
  }

  private async enlarge(request: UpscaleRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    stopped(signal);
    const options = request.creativity === undefined ? {} : { creativity: request.creativity };
    return { images: [await upscale(request.image.bytes, request.mode, options)] };
  }
}
