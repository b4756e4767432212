// A WaveSpeed imitation on 127.0.0.1, built from WaveSpeed's documentation (not from the adapter): bearer
// auth, per-model required fields, the submit envelope (https://wavespeed.ai/docs/docs-api), a prediction
// state machine (created → processing → completed after N polls; https://wavespeed.ai/docs/get-result) whose
// outputs are real PNGs of the requested size as base64, the final statuses failed / cancelled / timeout /
// deleted, the balance (https://wavespeed.ai/docs/docs-common-api/balance) and the model list
// (https://wavespeed.ai/docs/list-models). It serves only current models; a retired one answers 404 on
// submit. Each poll's time is kept, so tests can check the documented pace. Failures are scripted with
// failNext().
import sharp from "sharp";
import { startFakeHttp, type FakeHttpServer, type FakeReply, type RecordedRequest } from "./fake-http.ts";

export const WAVESPEED_FAKE_KEY = "ws-fake-key-0123456789abcdef";

/** Which requests a scripted failure may be used on (default: the next request of either kind). */
type On = { on?: "submit" | "poll" };

export type WaveSpeedFailure =
  /** An HTTP error in WaveSpeed's envelope shape (429/503 may carry Retry-After, in seconds). */
  | ({ status: 400 | 401 | 402 | 404 | 429 | 500 | 502 | 503; message?: string; retryAfter?: string } & On)
  /** HTTP 200 whose envelope says `code != 200`. */
  | ({ code: number; message: string } & On)
  /** Answer normally, but only after `delayMs` (client timeouts). */
  | ({ delayMs: number } & On)
  /** The next accepted prediction ends `failed` with this error (default: an NSFW refusal). */
  | { prediction: "failed"; error?: string }
  /** The next accepted prediction ends in another final status. */
  | { prediction: "cancelled" | "timeout" | "deleted" }
  /** The next accepted prediction completes normally (queue it first to fail a later one). */
  | { prediction: "completed" }
  /** The next accepted prediction completes with no outputs. */
  | { prediction: "empty" }
  /** The next accepted prediction completes with base64 that is not an image. */
  | { prediction: "garbage" };

type Outcome = "completed" | "failed" | "cancelled" | "timeout" | "deleted" | "empty" | "garbage";

interface Prediction {
  id: string;
  model: string;
  polls: number;
  /** When each poll arrived (ms since epoch). */
  polledAt: number[];
  outcome: Outcome;
  error: string;
  width: number;
  height: number;
  base64Output: boolean;
}

export interface WaveSpeedFake extends FakeHttpServer {
  /** Queues failures; each is used by the first later request (or accepted prediction) it applies to. */
  failNext(...failures: WaveSpeedFailure[]): void;
  /** Polls a prediction needs before it finishes (the first poll after creation shows `processing`). */
  pollsToComplete: number;
  /** Outputs as `data:image/png;base64,...` instead of bare base64 (WaveSpeed's form is unconfirmed). */
  dataUriOutputs: boolean;
  predictions: Map<string, Prediction>;
  /** The account balance in USD (GET /api/v3/balance). */
  balance: number;
  /** WaveSpeed retires a model: from now on submissions to it answer 404 and it leaves the model list. */
  retire(model: string): void;
}

/** Models of late 2026 (docs/providers.md; wavespeed.ai/models). */
export const WAVESPEED_CURRENT_MODELS = [
  "wavespeed-ai/qwen-image/text-to-image",
  "wavespeed-ai/qwen-image/edit",
  "ideogram-ai/ideogram-v3-turbo",
  "ideogram-ai/ideogram-v3-balanced",
  "ideogram-ai/ideogram-v3-quality",
];
const RATIOS: Record<string, [number, number]> = { "1:1": [1, 1], "16:9": [16, 9], "9:16": [9, 16], "4:3": [4, 3], "3:4": [3, 4] };
/** Ideogram outputs are scaled down (short side 64 px) so tests stay fast; the aspect is what matters. */
const IDEOGRAM_SHORT_SIDE = 64;

const envelope = (code: number, message: string, data: unknown = null) => ({ code, message, data });
const error = (status: number, message: string, headers: Record<string, string> = {}): FakeReply => ({
  status,
  headers,
  body: envelope(status, message),
});

export async function startWaveSpeedFake(options: { apiKey?: string; pollsToComplete?: number } = {}): Promise<WaveSpeedFake> {
  const apiKey = options.apiKey ?? WAVESPEED_FAKE_KEY;
  const MODELS = new Set(WAVESPEED_CURRENT_MODELS);
  const queue: WaveSpeedFailure[] = [];
  const predictions = new Map<string, Prediction>();
  let next = 0;

  const take = (kind: "submit" | "poll"): WaveSpeedFailure | undefined => {
    const i = queue.findIndex((f) => ("prediction" in f ? false : !f.on || f.on === kind));
    return i < 0 ? undefined : queue.splice(i, 1)[0];
  };
  const takeOutcome = (): { outcome: Outcome; error: string } => {
    const i = queue.findIndex((f) => "prediction" in f);
    if (i < 0) return { outcome: "completed", error: "" };
    const f = queue.splice(i, 1)[0]!;
    if (!("prediction" in f)) return { outcome: "completed", error: "" };
    if (f.prediction === "failed") return { outcome: "failed", error: f.error ?? "NSFW content detected in the generated image" };
    if (f.prediction === "cancelled" || f.prediction === "timeout" || f.prediction === "deleted") return { outcome: f.prediction, error: `task ${f.prediction}` };
    return { outcome: f.prediction, error: "" };
  };

  const view = async (p: Prediction, baseUrl: string) => {
    const ended = p.outcome === "failed" || p.outcome === "cancelled" || p.outcome === "timeout" || p.outcome === "deleted";
    const status = p.polls === 0 ? "created" : p.polls < fake.pollsToComplete ? "processing" : ended ? p.outcome : "completed";
    let outputs: string[] = [];
    if (status === "completed" && p.outcome !== "empty") {
      const bytes = p.outcome === "garbage" ? Buffer.from("this is not an image at all") : await png(p.width, p.height, p.id);
      const base64 = bytes.toString("base64");
      outputs = p.base64Output ? [fake.dataUriOutputs ? `data:image/png;base64,${base64}` : base64] : [`https://cdn.fake.wavespeed/${p.id}.png`];
    }
    return {
      id: p.id,
      model: p.model,
      status,
      outputs,
      urls: { get: `${baseUrl}/api/v3/predictions/${p.id}/result` },
      has_nsfw_contents: outputs.map(() => false),
      error: ended && status === p.outcome ? p.error : "",
      created_at: new Date(0).toISOString(),
    };
  };

  const handle = async (req: RecordedRequest): Promise<FakeReply> => {
    const pollMatch = /^\/api\/v3\/predictions\/([^/]+)\/result$/.exec(req.path);
    const submitModel = req.path.startsWith("/api/v3/") && !pollMatch ? req.path.slice("/api/v3/".length) : undefined;
    const kind = pollMatch ? "poll" : "submit";
    if (req.headers.authorization !== `Bearer ${apiKey}`) return error(401, "Unauthorized: invalid API key");
    // https://wavespeed.ai/docs/docs-common-api/balance
    if (req.method === "GET" && req.path === "/api/v3/balance") return { body: envelope(200, "success", { balance: fake.balance }) };
    // https://wavespeed.ai/docs/list-models
    if (req.method === "GET" && req.path.split("?")[0] === "/api/v3/models")
      return { body: envelope(200, "success", { items: [...MODELS].map((m) => ({ model_uuid: m, name: m, category: m.endsWith("/edit") ? "image-to-image" : "text-to-image" })) }) };

    let delayMs = 0;
    const failure = take(kind);
    if (failure && "status" in failure)
      return error(failure.status, failure.message ?? `fake ${failure.status}`, failure.retryAfter ? { "retry-after": failure.retryAfter } : {});
    if (failure && "code" in failure) return { body: envelope(failure.code, failure.message) };
    if (failure && "delayMs" in failure) delayMs = failure.delayMs;

    // https://wavespeed.ai/docs/get-result: GET /api/v3/predictions/{id}/result, the prediction in the envelope.
    if (pollMatch) {
      if (req.method !== "GET") return error(405, "method not allowed");
      const p = predictions.get(decodeURIComponent(pollMatch[1]!));
      if (!p) return error(404, "prediction not found");
      p.polls++;
      p.polledAt.push(Date.now());
      return { delayMs, body: envelope(200, "success", await view(p, fake.url)) };
    }
    // https://wavespeed.ai/docs/docs-api: POST /api/v3/<model>, the model's fields flat in JSON.
    if (req.method !== "POST" || !submitModel) return error(404, "not found");
    if (!MODELS.has(submitModel)) return error(404, `model ${submitModel} not found`);
    const body = req.json;
    if (typeof body !== "object" || body === null || Array.isArray(body)) return error(400, "request body must be a JSON object");
    const fields = body as Record<string, unknown>;
    const invalid = validate(submitModel, fields);
    if (invalid) return error(400, invalid);
    const size = await outputSize(submitModel, fields);
    if (typeof size === "string") return error(400, size);
    const p: Prediction = {
      id: `pred-${++next}`,
      model: submitModel,
      polls: 0,
      polledAt: [],
      ...takeOutcome(),
      ...size,
      base64Output: fields.enable_base64_output === true,
    };
    predictions.set(p.id, p);
    return { delayMs, body: envelope(200, "success", await view(p, fake.url)) };
  };

  const server = await startFakeHttp(handle);
  const fake: WaveSpeedFake = {
    ...server,
    failNext: (...failures) => void queue.push(...failures),
    pollsToComplete: options.pollsToComplete ?? 2,
    dataUriOutputs: false,
    predictions,
    balance: 25.5,
    retire: (model) => void MODELS.delete(model),
  };
  return fake;
}

/** The documented required fields of each model; a message when one is missing or malformed. */
function validate(model: string, f: Record<string, unknown>): string | undefined {
  if (typeof f.prompt !== "string" || f.prompt.trim() === "") return "prompt is required";
  if (f.seed !== undefined && (!Number.isInteger(f.seed) || (f.seed as number) < -1 || (f.seed as number) > 2147483647)) return "seed must be an integer in -1..2147483647";
  if (model.startsWith("ideogram-ai/")) {
    if (f.aspect_ratio !== undefined && !(typeof f.aspect_ratio === "string" && f.aspect_ratio in RATIOS)) return "aspect_ratio must be one of 1:1, 16:9, 9:16, 4:3, 3:4";
    if (f.style !== undefined && !["Auto", "General", "Realistic", "Design"].includes(f.style as string)) return "style must be one of Auto, General, Realistic, Design";
  }
  if (model === "wavespeed-ai/qwen-image/text-to-image" && f.size !== undefined) {
    const m = typeof f.size === "string" ? /^(\d+)\*(\d+)$/.exec(f.size) : null;
    if (!m || [m[1], m[2]].some((n) => Number(n) < 256 || Number(n) > 1536)) return "size must be W*H with each side in 256..1536";
  }
  if (model === "wavespeed-ai/qwen-image/edit" && typeof f.image !== "string") return "image is required";
  return undefined;
}

/** The size the model would answer with: qwen's `size`, Ideogram's ratio (scaled down), an edit's input size. */
async function outputSize(model: string, f: Record<string, unknown>): Promise<{ width: number; height: number } | string> {
  if (model === "wavespeed-ai/qwen-image/text-to-image") {
    const [w, h] = typeof f.size === "string" ? f.size.split("*").map(Number) : [1024, 1024];
    return { width: w!, height: h! };
  }
  if (model === "wavespeed-ai/qwen-image/edit") {
    const m = /^data:image\/(png|jpeg|webp);base64,(.+)$/s.exec(f.image as string);
    if (!m) return "image must be a URL or a data URI";
    try {
      const meta = await sharp(Buffer.from(m[2]!, "base64")).metadata();
      if (!meta.width || !meta.height) return "image cannot be decoded";
      return { width: meta.width, height: meta.height };
    } catch {
      return "image cannot be decoded";
    }
  }
  const [rw, rh] = RATIOS[(f.aspect_ratio as string | undefined) ?? "1:1"]!;
  const scale = IDEOGRAM_SHORT_SIDE / Math.min(rw, rh);
  return { width: Math.round(rw * scale), height: Math.round(rh * scale) };
}

/** A real PNG with a colour derived from the prediction id, so images are told apart. */
async function png(width: number, height: number, id: string): Promise<Buffer> {
  const n = [...id].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);
  return sharp({ create: { width, height, channels: 3, background: { r: n & 255, g: (n >> 8) & 255, b: (n >> 16) & 255 } } })
    .png()
    .toBuffer();
}
