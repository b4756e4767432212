// A fake of the Gemini API on 127.0.0.1, built from Google's documentation (not from the adapter): image
// models through `:generateContent` and the model list. It serves only today's image models; every other id
// (Imagen, gemini-2.5-flash-image, a model retired mid-test with retire()) answers 404 NOT_FOUND as Google
// does. It checks the key header (and that no key is in the URL), validates bodies as strictly as the
// documented shapes, answers with real PNGs, and plays scripted failures in order.
import sharp from "sharp";
import { z } from "zod";
import { startFakeHttp, type FakeHttpServer, type FakeReply, type RecordedRequest } from "./fake-http.ts";

export const GEMINI_FAKE_KEY = "AIzaFAKE-gemini-test-key-0123456789";

/** Image models of late 2026 (ai.google.dev/gemini-api/docs/models; docs/providers.md). */
export const GEMINI_CURRENT_MODELS = ["gemini-3.1-flash-image", "gemini-3-pro-image"];

/**
 * Output sizes by imageConfig.aspectRatio at the default 1K
 * (https://ai.google.dev/gemini-api/docs/image-generation#aspect_ratios).
 */
const SIZES: Record<string, [number, number]> = {
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

/** Inline request limit (https://ai.google.dev/gemini-api/docs/image-understanding: 20 MB per request). */
const REQUEST_LIMIT = 20 * 1024 * 1024;

export type GeminiFailure =
  /** 429 RESOURCE_EXHAUSTED with a RetryInfo detail (default "7s"). */
  | { kind: "rate-limited"; retryDelay?: string }
  /** 429 RESOURCE_EXHAUSTED for a project without billing: "limit: 0" (googleapis/js-genai#1322). */
  | { kind: "no-billing" }
  /** 500 INTERNAL. */
  | { kind: "server-error" }
  /** 503 UNAVAILABLE ("model overloaded"). */
  | { kind: "unavailable" }
  /** 400 INVALID_ARGUMENT with the given message. */
  | { kind: "bad-request"; message?: string }
  /** 400 FAILED_PRECONDITION (billing, unsupported region). */
  | { kind: "precondition" }
  /** 200 with finishReason IMAGE_SAFETY and no image. */
  | { kind: "image-safety" }
  /** 200 with only text and the given finishReason (default NO_IMAGE). */
  | { kind: "no-image"; finishReason?: string }
  /** 200 with promptFeedback.blockReason and no candidates. */
  | { kind: "blocked"; blockReason?: string }
  /** 200 with no candidates and no reason at all. */
  | { kind: "empty" }
  /** 200 whose image is base64 of bytes that are not an image. */
  | { kind: "garbage" }
  /** 200 whose body is not JSON. */
  | { kind: "not-json" }
  /** The normal answer, after `delayMs`. */
  | { kind: "slow"; delayMs: number };

export interface GeminiFake extends FakeHttpServer {
  /** Queues failures: each generateContent request (with a good key and a valid body) plays the next one. */
  failNext(...failures: GeminiFailure[]): void;
  /** Failures not yet played. */
  pending(): number;
  /** Google shuts a model down: from now on it answers 404 and leaves the model list. */
  retire(model: string): void;
  /** Forgets recorded requests and queued failures, and serves the current models again (between tests). */
  reset(): void;
}

// ---- The request shape the fake accepts (https://ai.google.dev/api/generate-content#request-body) ----

const partSchema = z.union([
  z.strictObject({ text: z.string().min(1) }),
  z.strictObject({ inlineData: z.strictObject({ mimeType: z.enum(["image/png", "image/jpeg", "image/webp"]), data: z.string().min(1) }) }),
]);
const generateBodySchema = z.strictObject({
  contents: z.array(z.strictObject({ role: z.literal("user"), parts: z.array(partSchema).min(1) })).length(1),
  // https://ai.google.dev/api/generate-content#generationconfig
  generationConfig: z.strictObject({
    responseModalities: z.array(z.enum(["TEXT", "IMAGE"])).refine((m) => m.includes("IMAGE"), "must include IMAGE"),
    imageConfig: z.strictObject({ aspectRatio: z.enum(Object.keys(SIZES) as [string, ...string[]]), imageSize: z.enum(["1K", "2K", "4K"]).optional() }).optional(),
    seed: z.number().int().min(-2147483648).max(2147483647).optional(),
  }),
});

/** Google's error body (https://ai.google.dev/gemini-api/docs/troubleshooting; google.rpc.Status). */
function googleError(code: number, status: string, message: string, details?: unknown[]): FakeReply {
  return { status: code, body: { error: { code, message, status, ...(details ? { details } : {}) } } };
}

const badArgument = (message: string) => googleError(400, "INVALID_ARGUMENT", message);

/** The documented answer for a retired or unknown model. */
const notFound = (model: string, method: string) =>
  googleError(
    404,
    "NOT_FOUND",
    `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
  );

let colour = 0;
async function png(width: number, height: number): Promise<string> {
  colour = (colour + 47) % 256;
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: colour, g: 255 - colour, b: 128 } } }).png().toBuffer();
  return bytes.toString("base64");
}

const GARBAGE = Buffer.from("this is not an image at all").toString("base64");

export async function startGeminiFake(options: { apiKey?: string; models?: string[] } = {}): Promise<GeminiFake> {
  const apiKey = options.apiKey ?? GEMINI_FAKE_KEY;
  const initial = options.models ?? GEMINI_CURRENT_MODELS;
  const served = new Set(initial);
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

    // https://ai.google.dev/api/models#method:-models.list
    if (request.method === "GET" && url.pathname === "/v1beta/models") return listModels();
    const match = url.pathname.match(/^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/);
    if (request.method !== "POST" || !match) return googleError(404, "NOT_FOUND", "The requested URL was not found on this server.");
    const [, model, method] = match as unknown as [string, string, string];
    if (method !== "generateContent" || !served.has(decodeURIComponent(model))) return notFound(decodeURIComponent(model), method);
    if (request.body.length > REQUEST_LIMIT) return badArgument(`Request payload size exceeds the limit: ${REQUEST_LIMIT} bytes.`);
    if (!(request.headers["content-type"] ?? "").includes("application/json") || request.json === undefined)
      return badArgument("Invalid JSON payload received.");
    return generate(decodeURIComponent(model), request.json);
  }

  function listModels(): FakeReply {
    // Image models next to a text model, as the real list has; retired models are not listed.
    const models = [
      { name: "models/gemini-3-flash", displayName: "Gemini 3 Flash", supportedGenerationMethods: ["generateContent", "countTokens"] },
      ...[...served].map((m) => ({ name: `models/${m}`, displayName: m, supportedGenerationMethods: ["generateContent", "countTokens"] })),
    ];
    return { body: { models } };
  }

  async function generate(model: string, json: unknown): Promise<FakeReply> {
    const parsed = generateBodySchema.safeParse(json);
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
    let delayMs = 0;
    let garbage = false;
    // Answers of https://ai.google.dev/api/generate-content#generatecontentresponse and the error table of
    // https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes.
    switch (failure?.kind) {
      case "rate-limited":
        return googleError(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.", [
          {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_requests_per_model", quotaId: "GenerateRequestsPerMinutePerProjectPerModel", quotaValue: "10" }],
          },
          { "@type": "type.googleapis.com/google.rpc.Help", links: [{ description: "Learn more about Gemini API quotas", url: "https://ai.google.dev/gemini-api/docs/rate-limits" }] },
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: failure.retryDelay ?? "7s" },
        ]);
      case "no-billing":
        return googleError(
          429,
          "RESOURCE_EXHAUSTED",
          `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: ${model}\nPlease retry in 25.465784708s.`,
          [
            {
              "@type": "type.googleapis.com/google.rpc.QuotaFailure",
              violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests", quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier" }],
            },
            { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "25s" },
          ],
        );
      case "server-error":
        return googleError(500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting");
      case "unavailable":
        return googleError(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
      case "bad-request":
        return badArgument(failure.message ?? "Request contains an invalid argument.");
      case "precondition":
        return googleError(400, "FAILED_PRECONDITION", "User location is not supported for the API use.");
      case "not-json":
        return { status: 200, headers: { "content-type": "text/html" }, body: "<html>upstream proxy error</html>" };
      case "image-safety":
        return { body: { candidates: [{ content: { role: "model" }, finishReason: "IMAGE_SAFETY", index: 0 }], modelVersion: model } };
      case "no-image":
        return {
          body: {
            candidates: [{ content: { role: "model", parts: [{ text: "I can only describe this, not draw it." }] }, finishReason: failure.finishReason ?? "NO_IMAGE", index: 0 }],
          },
        };
      case "blocked":
        return { body: { promptFeedback: { blockReason: failure.blockReason ?? "PROHIBITED_CONTENT" }, modelVersion: model } };
      case "empty":
        return { body: { candidates: [], modelVersion: model } };
      case "garbage":
        garbage = true;
        break;
      case "slow":
        delayMs = failure.delayMs;
        break;
    }
    const ratio = parsed.data.generationConfig.imageConfig?.aspectRatio;
    let [w, h] = ratio ? SIZES[ratio]! : [1024, 1024];
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
        modelVersion: model,
      },
    };
  }

  const server = await startFakeHttp(handle);
  return {
    ...server,
    failNext: (...failures) => void script.push(...failures),
    pending: () => script.length,
    retire: (model) => void served.delete(model),
    reset: () => {
      server.requests.length = 0;
      script.length = 0;
      served.clear();
      for (const m of initial) served.add(m);
    },
  };
}
