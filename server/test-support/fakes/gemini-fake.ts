// A fake of the Gemini API (providers.md) on 127.0.0.1: `:predict` for Imagen 4 and `:generateContent` for
// gemini-2.5-flash-image. It checks the key header (and that no key is in the URL), validates bodies as
// strictly as the documented shapes, answers with real PNGs, and plays scripted failures in order.
import sharp from "sharp";
import { z } from "zod";
import { startFakeHttp, type FakeHttpServer, type FakeReply, type RecordedRequest } from "./fake-http.ts";

export const GEMINI_FAKE_KEY = "AIzaFAKE-gemini-test-key-0123456789";

const IMAGEN_MODELS = new Set(["imagen-4.0-fast-generate-001", "imagen-4.0-generate-001"]);
const FLASH_MODELS = new Set(["gemini-2.5-flash-image"]);

/** Output sizes as the real models make them. */
const IMAGEN_SIZES: Record<string, [number, number]> = {
  "1:1": [1024, 1024],
  "3:4": [896, 1280],
  "4:3": [1280, 896],
  "9:16": [768, 1408],
  "16:9": [1408, 768],
};
const FLASH_SIZES: Record<string, [number, number]> = {
  "1:1": [1024, 1024],
  "2:3": [832, 1248],
  "3:2": [1248, 832],
  "3:4": [864, 1184],
  "4:3": [1184, 864],
  "4:5": [896, 1152],
  "5:4": [1152, 896],
  "9:16": [768, 1344],
  "16:9": [1344, 768],
  "21:9": [1536, 672],
};

/** Documented inline request limit. */
const REQUEST_LIMIT = 20 * 1024 * 1024;

export type GeminiFailure =
  /** 429 RESOURCE_EXHAUSTED with a RetryInfo detail (default "7s"). */
  | { kind: "rate-limited"; retryDelay?: string }
  /** 500 INTERNAL. */
  | { kind: "server-error" }
  /** 503 UNAVAILABLE ("model overloaded"). */
  | { kind: "unavailable" }
  /** 400 INVALID_ARGUMENT with the given message. */
  | { kind: "bad-request"; message?: string }
  /** 404 NOT_FOUND for the model (retired). */
  | { kind: "model-gone" }
  /** 400 FAILED_PRECONDITION (billing, unsupported region). */
  | { kind: "precondition" }
  /** generateContent: 200 with finishReason IMAGE_SAFETY and no image; predict: every image filtered. */
  | { kind: "image-safety" }
  /** generateContent: 200 with only text and the given finishReason (default NO_IMAGE); predict: none. */
  | { kind: "no-image"; finishReason?: string }
  /** generateContent: 200 with promptFeedback.blockReason and no candidates; predict: none. */
  | { kind: "blocked"; blockReason?: string }
  /** generateContent: 200 with no candidates and no reason at all. */
  | { kind: "empty" }
  /** predict: only `keep` of the asked images come back (the rest were filtered). */
  | { kind: "filtered"; keep: number }
  /** 200 whose images are base64 of bytes that are not an image. */
  | { kind: "garbage" }
  /** 200 whose body is not JSON. */
  | { kind: "not-json" }
  /** The normal answer, after `delayMs`. */
  | { kind: "slow"; delayMs: number };

export interface GeminiFake extends FakeHttpServer {
  /** Queues failures: each request (with a good key and a valid body) plays the next one. */
  failNext(...failures: GeminiFailure[]): void;
  /** Failures not yet played. */
  pending(): number;
  /** Forgets recorded requests and queued failures (between tests). */
  reset(): void;
}

// ---- Request shapes the fake accepts (strict: an unknown field is a 400, as on the real API) ----

const imagenBodySchema = z.strictObject({
  instances: z.array(z.strictObject({ prompt: z.string().min(1) })).length(1),
  parameters: z.strictObject({
    sampleCount: z.number().int().min(1).max(4),
    aspectRatio: z.enum(Object.keys(IMAGEN_SIZES) as [string, ...string[]]),
    personGeneration: z.enum(["dont_allow", "allow_adult", "allow_all"]).optional(),
  }),
});

const partSchema = z.union([
  z.strictObject({ text: z.string().min(1) }),
  z.strictObject({ inlineData: z.strictObject({ mimeType: z.enum(["image/png", "image/jpeg", "image/webp"]), data: z.string().min(1) }) }),
]);
const flashBodySchema = z.strictObject({
  contents: z.array(z.strictObject({ role: z.literal("user"), parts: z.array(partSchema).min(1) })).length(1),
  generationConfig: z.strictObject({
    responseModalities: z.array(z.enum(["TEXT", "IMAGE"])).refine((m) => m.includes("IMAGE"), "must include IMAGE"),
    imageConfig: z.strictObject({ aspectRatio: z.enum(Object.keys(FLASH_SIZES) as [string, ...string[]]) }).optional(),
    seed: z.number().int().min(-2147483648).max(2147483647).optional(),
  }),
});

function googleError(code: number, status: string, message: string, details?: unknown[]): FakeReply {
  return { status: code, body: { error: { code, message, status, ...(details ? { details } : {}) } } };
}

const badArgument = (message: string) => googleError(400, "INVALID_ARGUMENT", message);

let colour = 0;
async function png(width: number, height: number): Promise<string> {
  colour = (colour + 47) % 256;
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: colour, g: 255 - colour, b: 128 } } }).png().toBuffer();
  return bytes.toString("base64");
}

const GARBAGE = Buffer.from("this is not an image at all").toString("base64");

export async function startGeminiFake(options: { apiKey?: string } = {}): Promise<GeminiFake> {
  const apiKey = options.apiKey ?? GEMINI_FAKE_KEY;
  const script: GeminiFailure[] = [];

  async function handle(request: RecordedRequest): Promise<FakeReply> {
    const url = new URL(request.path, "http://fake");
    // Keys in URLs end up in logs: the fake refuses them outright so a leak fails the test.
    if (url.searchParams.has("key") || request.path.includes(apiKey))
      return badArgument("fake: the API key must travel in the x-goog-api-key header, never in the URL");
    const given = request.headers["x-goog-api-key"];
    if (!given)
      return googleError(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
    if (given !== apiKey)
      return googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
        { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com", metadata: { service: "generativelanguage.googleapis.com" } },
      ]);

    const match = url.pathname.match(/^\/v1beta\/models\/([^/:]+):(predict|generateContent)$/);
    if (request.method !== "POST" || !match) return googleError(404, "NOT_FOUND", "The requested URL was not found on this server.");
    const [, model, method] = match as unknown as [string, string, string];
    const known = method === "predict" ? IMAGEN_MODELS.has(model) : FLASH_MODELS.has(model);
    if (!known) return googleError(404, "NOT_FOUND", `models/${model} is not found for API version v1beta, or is not supported for ${method}.`);
    if (request.body.length > REQUEST_LIMIT) return badArgument(`Request payload size exceeds the limit: ${REQUEST_LIMIT} bytes.`);
    if (!(request.headers["content-type"] ?? "").includes("application/json") || request.json === undefined)
      return badArgument("Invalid JSON payload received.");

    return method === "predict" ? predict(request.json) : generate(request.json);
  }

  async function predict(json: unknown): Promise<FakeReply> {
    const parsed = imagenBodySchema.safeParse(json);
    if (!parsed.success) return badArgument(`Invalid JSON payload received. ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
    const { sampleCount, aspectRatio } = parsed.data.parameters;
    const failure = script.shift();
    const early = failure && commonFailure(failure);
    if (early) return early;
    let count = sampleCount;
    let delayMs = 0;
    let garbage = false;
    switch (failure?.kind) {
      case "image-safety":
      case "no-image":
      case "blocked":
      case "empty":
        return { body: {} }; // Imagen's answer when every image was filtered
      case "filtered":
        count = Math.min(failure.keep, sampleCount);
        break;
      case "garbage":
        garbage = true;
        break;
      case "slow":
        delayMs = failure.delayMs;
        break;
    }
    const [w, h] = IMAGEN_SIZES[aspectRatio]!;
    const predictions = [];
    for (let i = 0; i < count; i++) predictions.push({ mimeType: "image/png", bytesBase64Encoded: garbage ? GARBAGE : await png(w, h) });
    return { delayMs, body: count === 0 ? {} : { predictions } };
  }

  async function generate(json: unknown): Promise<FakeReply> {
    const parsed = flashBodySchema.safeParse(json);
    if (!parsed.success) return badArgument(`Invalid JSON payload received. ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
    const parts = parsed.data.contents[0]!.parts;
    if (!parts.some((p) => "text" in p)) return badArgument("The prompt is empty.");
    // The real API decodes inline images; a wrong mimeType or broken data is a 400.
    let input: { width: number; height: number } | undefined;
    for (const part of parts) {
      if (!("inlineData" in part)) continue;
      try {
        const meta = await sharp(Buffer.from(part.inlineData.data, "base64")).metadata();
        if (`image/${meta.format}` !== part.inlineData.mimeType) return badArgument("Unable to process input image: mimeType does not match the data.");
        input = { width: meta.width!, height: meta.height! };
      } catch {
        return badArgument("Unable to process input image.");
      }
    }
    const failure = script.shift();
    const early = failure && commonFailure(failure);
    if (early) return early;
    let delayMs = 0;
    let garbage = false;
    switch (failure?.kind) {
      case "image-safety":
        return { body: { candidates: [{ content: { role: "model" }, finishReason: "IMAGE_SAFETY", index: 0 }], modelVersion: "gemini-2.5-flash-image" } };
      case "no-image":
        return {
          body: {
            candidates: [{ content: { role: "model", parts: [{ text: "I can only describe this, not draw it." }] }, finishReason: failure.finishReason ?? "NO_IMAGE", index: 0 }],
          },
        };
      case "blocked":
        return { body: { promptFeedback: { blockReason: failure.blockReason ?? "PROHIBITED_CONTENT" }, modelVersion: "gemini-2.5-flash-image" } };
      case "empty":
        return { body: { candidates: [], modelVersion: "gemini-2.5-flash-image" } };
      case "filtered":
        if (failure.keep === 0) return { body: { candidates: [{ content: { role: "model" }, finishReason: "IMAGE_SAFETY", index: 0 }] } };
        break;
      case "garbage":
        garbage = true;
        break;
      case "slow":
        delayMs = failure.delayMs;
        break;
    }
    const ratio = parsed.data.generationConfig.imageConfig?.aspectRatio;
    let [w, h] = ratio ? FLASH_SIZES[ratio]! : [1024, 1024];
    if (!ratio && input) {
      // Edits without imageConfig keep the input's proportions at about 1 MP.
      const scale = Math.sqrt((1024 * 1024) / (input.width * input.height));
      [w, h] = [Math.max(1, Math.round(input.width * scale)), Math.max(1, Math.round(input.height * scale))];
    }
    const data = garbage ? GARBAGE : await png(w, h);
    return {
      delayMs,
      body: {
        candidates: [
          { content: { role: "model", parts: [{ text: "Here is the image." }, { inlineData: { mimeType: "image/png", data } }] }, finishReason: "STOP", index: 0 },
        ],
        usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 1290, totalTokenCount: 1302 },
        modelVersion: "gemini-2.5-flash-image",
      },
    };
  }

  /** Failures that look the same on both methods. */
  function commonFailure(failure: GeminiFailure): FakeReply | undefined {
    switch (failure.kind) {
      case "rate-limited":
        return googleError(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.", [
          {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_requests_per_model", quotaId: "GenerateRequestsPerMinutePerProjectPerModel" }],
          },
          { "@type": "type.googleapis.com/google.rpc.Help", links: [{ description: "Learn more about Gemini API quotas", url: "https://ai.google.dev/gemini-api/docs/rate-limits" }] },
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: failure.retryDelay ?? "7s" },
        ]);
      case "server-error":
        return googleError(500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting");
      case "unavailable":
        return googleError(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
      case "bad-request":
        return badArgument(failure.message ?? "Request contains an invalid argument.");
      case "model-gone":
        return googleError(404, "NOT_FOUND", "models/imagen-4.0-generate-001 is not found for API version v1beta, or is not supported for predict.");
      case "precondition":
        return googleError(400, "FAILED_PRECONDITION", "User location is not supported for the API use.");
      case "not-json":
        return { status: 200, headers: { "content-type": "text/html" }, body: "<html>upstream proxy error</html>" };
      default:
        return undefined;
    }
  }

  const server = await startFakeHttp(handle);
  return {
    ...server,
    failNext: (...failures) => void script.push(...failures),
    pending: () => script.length,
    reset: () => {
      server.requests.length = 0;
      script.length = 0;
    },
  };
}
