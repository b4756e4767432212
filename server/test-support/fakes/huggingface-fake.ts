// A fake of Hugging Face on 127.0.0.1, built from its documentation (not from the adapter): the inference
// router's hf-inference provider and the Hub API calls `providers check` makes. It serves only what
// hf-inference serves today (FLUX.1-schnell); FLUX.1-dev and other retired repos answer 410 as the router
// does for deprecated models, and any other repo "Model not supported by provider hf-inference" (400).
// Bearer token, `inputs` required, raw PNG bytes of the requested size on success, `{ error }` JSON on
// failure. Failures are scripted with failNext(), each used by the next inference request.
import sharp from "sharp";
import { startFakeHttp, type FakeHttpServer, type FakeReply, type RecordedRequest } from "./fake-http.ts";

export const HF_FAKE_TOKEN = "hf_fakeToken0123456789abcdef";

/** What hf-inference serves for text-to-image (docs/providers.md, July 2026). */
export const HF_SERVED = ["black-forest-labs/FLUX.1-schnell"];
/** Repos hf-inference dropped: listed on the Hub, served only by other providers. */
export const HF_RETIRED = ["black-forest-labs/FLUX.1-dev"];

export type HuggingFaceFailure =
  /** An HTTP error; `errorShape: "object"` answers `{ error: { message } }` instead of `{ error: "..." }`. */
  | { status: 400 | 401 | 402 | 403 | 404 | 410 | 429 | 500 | 503; message?: string; retryAfter?: string; errorShape?: "string" | "object" }
  /** 503 while the model loads, with `estimated_time` (seconds) as the legacy API sent it. */
  | { loading: number }
  /** 200 with a JSON body instead of an image. */
  | { jsonOn200: string }
  /** 200 image/png whose bytes are not an image. */
  | { garbage: true }
  /** Answer normally, but only after `delayMs` (client timeouts). */
  | { delayMs: number };

export interface HuggingFaceFake extends FakeHttpServer {
  /** Queues failures; each is used by the next inference request. */
  failNext(...failures: HuggingFaceFailure[]): void;
  /** hf-inference stops serving a repo: from now on it answers 410. */
  retire(repo: string): void;
  /** Whether the account behind the token has a payment method (whoami-v2 `canPay`). */
  canPay: boolean;
}

const PREFIX = "/hf-inference/models/";

// https://huggingface.co/docs/inference-providers/index#errors: `{ "error": "..." }` bodies.
const failure = (status: number, message: string, shape: "string" | "object" = "string", headers: Record<string, string> = {}): FakeReply => ({
  status,
  headers,
  body: { error: shape === "object" ? { message } : message },
});

export async function startHuggingFaceFake(options: { token?: string; models?: string[] } = {}): Promise<HuggingFaceFake> {
  const token = options.token ?? HF_FAKE_TOKEN;
  const served = new Set(options.models ?? HF_SERVED);
  const retired = new Set(HF_RETIRED);
  const queue: HuggingFaceFailure[] = [];

  const handle = async (req: RecordedRequest): Promise<FakeReply> => {
    if (req.headers.authorization !== `Bearer ${token}`) return failure(401, "Invalid credentials in Authorization header");
    const url = new URL(req.path, "http://fake");
    if (req.method === "GET" && url.pathname === "/api/whoami-v2") return whoAmI();
    if (req.method === "GET" && url.pathname.startsWith("/api/models/")) return modelInfo(decodeURIComponent(url.pathname.slice("/api/models/".length)));
    const model = url.pathname.startsWith(PREFIX) ? decodeURIComponent(url.pathname.slice(PREFIX.length)) : "";
    const scripted = queue.shift();
    if (scripted && "status" in scripted)
      return failure(scripted.status, scripted.message ?? `fake ${scripted.status}`, scripted.errorShape, scripted.retryAfter ? { "retry-after": scripted.retryAfter } : {});
    if (scripted && "loading" in scripted)
      return { status: 503, body: { error: `Model ${model} is currently loading`, estimated_time: scripted.loading } };
    if (scripted && "jsonOn200" in scripted) return { status: 200, body: { error: scripted.jsonOn200 } };

    if (req.method !== "POST" || !model) return failure(404, "Not Found");
    // https://huggingface.co/docs/inference-providers/providers/hf-inference: the provider serves a short list;
    // a deprecated model is 410 Gone, any other "Model not supported by provider hf-inference".
    if (retired.has(model)) return failure(410, `Model ${model} is no longer supported by provider hf-inference`);
    if (!served.has(model)) return failure(400, "Model not supported by provider hf-inference");
    // https://huggingface.co/docs/inference-providers/tasks/text-to-image#api-specification
    const body = req.json as { inputs?: unknown; parameters?: Record<string, unknown> } | undefined;
    if (typeof body?.inputs !== "string" || body.inputs.trim() === "") return failure(400, "Input should be a valid string: inputs");
    const width = body.parameters?.width ?? 1024;
    const height = body.parameters?.height ?? 1024;
    if (!Number.isInteger(width) || !Number.isInteger(height) || (width as number) < 64 || (height as number) < 64 || (width as number) > 2048 || (height as number) > 2048)
      return failure(400, "width and height must be integers in 64..2048");

    if (scripted && "garbage" in scripted) return { headers: { "content-type": "image/png" }, body: Buffer.from("\x89PNG but not really an image") };
    const seed = Number(body.parameters?.seed ?? 0);
    const png = await sharp({ create: { width: width as number, height: height as number, channels: 3, background: { r: seed & 255, g: 128, b: 64 } } })
      .png()
      .toBuffer();
    return { headers: { "content-type": "image/png" }, body: png, delayMs: scripted && "delayMs" in scripted ? scripted.delayMs : 0 };
  };

  // https://huggingface.co/docs/hub/api#get-apiwhoami-v2 (fields as huggingface.js types them).
  const whoAmI = (): FakeReply => ({ body: { type: "user", id: "6523a1f0c0ffee", name: "studio-bot", fullname: "Studio Bot", canPay: fake.canPay, isPro: false, orgs: [] } });

  // https://huggingface.co/docs/inference-providers/hub-api#get-model-info-with-expand-inferenceprovidermapping
  const modelInfo = (repo: string): FakeReply => {
    if (!served.has(repo) && !retired.has(repo)) return failure(404, "Repository not found");
    const others = [{ provider: "fal-ai", providerId: `fal-ai/${repo.split("/")[1]?.toLowerCase()}`, status: "live", task: "text-to-image" }];
    const mapping = served.has(repo) ? [{ provider: "hf-inference", providerId: repo, status: "live", task: "text-to-image" }, ...others] : others;
    return { body: { _id: "64b8f0", id: repo, inferenceProviderMapping: mapping } };
  };

  const server = await startFakeHttp(handle);
  const fake: HuggingFaceFake = {
    ...server,
    failNext: (...failures) => void queue.push(...failures),
    retire: (repo) => {
      served.delete(repo);
      retired.add(repo);
    },
    canPay: true,
  };
  return fake;
}
