// A Hugging Face Inference imitation (providers.md shapes) on 127.0.0.1: bearer token, `inputs` required,
// raw PNG bytes of the requested size on success, and `{ error }` JSON bodies on failure. Failures are
// scripted with failNext(), each used by the next request.
import sharp from "sharp";
import { startFakeHttp, type FakeHttpServer, type FakeReply, type RecordedRequest } from "./fake-http.ts";

export const HF_FAKE_TOKEN = "hf_fakeToken0123456789abcdef";

export type HuggingFaceFailure =
  /** An HTTP error; `errorShape: "object"` answers `{ error: { message } }` instead of `{ error: "..." }`. */
  | { status: 400 | 401 | 402 | 403 | 404 | 429 | 500 | 503; message?: string; retryAfter?: string; errorShape?: "string" | "object" }
  /** 503 while the model loads, with `estimated_time` (seconds) as the legacy API sent it. */
  | { loading: number }
  /** 200 with a JSON body instead of an image. */
  | { jsonOn200: string }
  /** 200 image/png whose bytes are not an image. */
  | { garbage: true }
  /** Answer normally, but only after `delayMs` (client timeouts). */
  | { delayMs: number };

export interface HuggingFaceFake extends FakeHttpServer {
  /** Queues failures; each is used by the next request. */
  failNext(...failures: HuggingFaceFailure[]): void;
}

const DEFAULT_MODELS = ["black-forest-labs/FLUX.1-schnell", "black-forest-labs/FLUX.1-dev"];
const PREFIX = "/hf-inference/models/";

const failure = (status: number, message: string, shape: "string" | "object" = "string", headers: Record<string, string> = {}): FakeReply => ({
  status,
  headers,
  body: { error: shape === "object" ? { message } : message },
});

export async function startHuggingFaceFake(options: { token?: string; models?: string[] } = {}): Promise<HuggingFaceFake> {
  const token = options.token ?? HF_FAKE_TOKEN;
  const models = new Set(options.models ?? DEFAULT_MODELS);
  const queue: HuggingFaceFailure[] = [];

  const handle = async (req: RecordedRequest): Promise<FakeReply> => {
    if (req.headers.authorization !== `Bearer ${token}`) return failure(401, "Invalid credentials in Authorization header");
    const model = req.path.startsWith(PREFIX) ? decodeURIComponent(req.path.slice(PREFIX.length)) : "";
    const scripted = queue.shift();
    if (scripted && "status" in scripted)
      return failure(scripted.status, scripted.message ?? `fake ${scripted.status}`, scripted.errorShape, scripted.retryAfter ? { "retry-after": scripted.retryAfter } : {});
    if (scripted && "loading" in scripted)
      return { status: 503, body: { error: `Model ${model} is currently loading`, estimated_time: scripted.loading } };
    if (scripted && "jsonOn200" in scripted) return { status: 200, body: { error: scripted.jsonOn200 } };

    if (req.method !== "POST" || !models.has(model)) return failure(404, `Model ${model || "(none)"} does not exist`);
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

  const server = await startFakeHttp(handle);
  return { ...server, failNext: (...failures) => void queue.push(...failures) };
}
