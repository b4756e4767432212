// A fake of Stability AI's v2beta stable-image API on 127.0.0.1, built from Stability's documentation
// (https://platform.stability.ai/docs/api-reference; docs/providers.md), not from the adapter: it checks the key,
// the multipart body, each path's required fields and documented input limits (so an adapter bug shows up as
// Stability's own 400), and answers with real PNGs of the size Stability would return. Async paths answer
// `{ id }` and their results poll 202 a few times before the image (#tag/Results). A 429 locks the key out
// for 60 s, as documented (platform.stability.ai/docs/getting-started/rate-limits): every request in that
// window is another 429. The account balance is GET /v1/user/balance (#tag/User). Tests script failures
// per path.
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { startFakeHttp, type FakeReply, type RecordedRequest } from "./fake-http.ts";

export const STABILITY_FAKE_KEY = "sk-fake-stability-key-0123456789";

const PREFIX = "/v2beta/stable-image/";
const RESULTS = "/v2beta/results/";
const BODY_LIMIT = 10 * 1024 * 1024;
const SEED_MAX = 4_294_967_294;
const ASPECT_SIZES: Record<string, [number, number]> = {
  "21:9": [1536, 640],
  "16:9": [1344, 768],
  "3:2": [1216, 832],
  "5:4": [1152, 896],
  "1:1": [1024, 1024],
  "4:5": [896, 1152],
  "2:3": [832, 1216],
  "9:16": [768, 1344],
  "9:21": [640, 1536],
};
const STYLE_PRESETS = [
  "enhance", "anime", "photographic", "digital-art", "comic-book", "fantasy-art", "line-art", "analog-film", "neon-punk",
  "isometric", "low-poly", "origami", "modeling-compound", "cinematic", "3d-model", "pixel-art", "tile-texture",
];
// docs/providers.md lists large, large-turbo and medium; flash is in the catalog and in Stability's current API
// (#tag/Generate/paths/~1v2beta~1stable-image~1generate~1sd3/post: `model`).
const SD3_MODELS = ["sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash"];
const LOCKOUT_MS = 60_000;
const OUTPUT_FORMATS = ["jpeg", "png", "webp"];
const LIGHT_DIRECTIONS = ["left", "right", "above", "below"];
const EDIT_PX = { min: 4_096, max: 9_437_184 };

/** Stability's error body. */
export function stabilityError(name: string, errors: string[]): { id: string; name: string; errors: string[] } {
  return { id: randomBytes(16).toString("hex"), name, errors };
}

type Entry = { kind: "reply"; reply: FakeReply } | { kind: "normal"; delayMs: number };

interface Task {
  remaining: number;
  output: Output;
}

interface Output {
  width: number;
  height: number;
  alpha: boolean;
  seed: number;
}

export interface StabilityFake {
  url: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Requests to one path: "generate/core", "edit/inpaint", "upscale/creative" or "results". */
  requestsTo(path: string): RecordedRequest[];
  /** The next request to `path` (after the key and multipart checks) gets `reply` instead of the normal answer. */
  failNext(path: string, reply: FakeReply): void;
  /** The next request to `path` is answered normally: queue it before failNext to fail a later request. */
  passNext(path: string): void;
  /** The next request to `path` is answered normally after `ms` (timeouts). */
  delayNext(path: string, ms: number): void;
  /**
   * Every request to `path` (after its checks) that `test` picks gets `reply` (or, without one, its normal
   * answer after `delayMs`): a failure tied to one image of a batch, whatever order its items run in.
   */
  when(path: string, test: (request: RecordedRequest) => boolean | Promise<boolean>, action: { reply?: FakeReply; delayMs?: number }): void;
  /** How many 202s a new async task answers before its image (default 2). */
  pendingPolls: number;
  /** Ids the async paths handed out, in order. */
  taskIds: string[];
  /** Drops a task, as Stability does after 24 h. */
  expire(taskId: string): void;
  /** Stability stops offering an SD 3.5 model (`model` is refused) or a whole generate path (404). */
  retire(modelOrPath: string): void;
  /** The account's credits (GET /v1/user/balance). */
  credits: number;
  /** Forgets recorded requests, tasks and unused scripted replies (between tests). */
  reset(): void;
  close(): Promise<void>;
}

function keyOf(path: string): string {
  const clean = path.split("?")[0]!;
  if (clean.startsWith(RESULTS) || clean === "results") return "results";
  return clean.startsWith(PREFIX) ? clean.slice(PREFIX.length) : clean.replace(/^\/+/, "");
}

class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    readonly errors: string[],
  ) {
    super(errors.join("; "));
  }
}

const bad = (...errors: string[]) => new BadRequest(400, "bad_request", errors);

function text(form: Map<string, string | File>, field: string, required = false): string | undefined {
  const value = form.get(field);
  if (value === undefined) {
    if (required) throw bad(`${field}: required`);
    return undefined;
  }
  if (typeof value !== "string") throw bad(`${field}: must be a string`);
  return value;
}

function prompt(form: Map<string, string | File>, field: string, required: boolean): string | undefined {
  const value = text(form, field, required);
  if (value !== undefined && (value.length < 1 || [...value].length > 10_000)) throw bad(`${field}: must be 1 to 10000 characters`);
  return value;
}

function number(form: Map<string, string | File>, field: string, min: number, max: number, integer = false): number | undefined {
  const raw = text(form, field);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value)))
    throw bad(`${field}: must be ${integer ? "an integer" : "a number"} from ${min} to ${max}`);
  return value;
}

function oneOf(form: Map<string, string | File>, field: string, allowed: string[]): string | undefined {
  const value = text(form, field);
  if (value !== undefined && !allowed.includes(value)) throw bad(`${field}: must be one of ${allowed.join(", ")}`);
  return value;
}

async function image(form: Map<string, string | File>, field: string, required: boolean): Promise<{ width: number; height: number; transparent: boolean } | undefined> {
  const value = form.get(field);
  if (value === undefined) {
    if (required) throw bad(`${field}: required`);
    return undefined;
  }
  if (typeof value === "string") throw bad(`${field}: must be a file`);
  try {
    const bytes = Buffer.from(await value.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    if (!meta.width || !meta.height || !["png", "jpeg", "webp"].includes(meta.format ?? "")) throw new Error("format");
    const transparent = meta.hasAlpha === true && ((await sharp(bytes).ensureAlpha().stats()).channels[3]?.min ?? 255) < 255;
    return { width: meta.width, height: meta.height, transparent };
  } catch {
    throw bad(`${field}: unsupported image format (png, jpeg or webp)`);
  }
}

function pixels(field: string, size: { width: number; height: number }, min: number, max: number): void {
  const px = size.width * size.height;
  if (px < min || px > max) throw bad(`${field}: total pixel count must be between ${min} and ${max}, got ${px}`);
}

function aspect(field: string, size: { width: number; height: number }): void {
  const r = size.width / size.height;
  if (r > 2.5 || r < 1 / 2.5) throw bad(`${field}: aspect ratio must be between 1:2.5 and 2.5:1`);
}

function seedOf(form: Map<string, string | File>): number {
  const seed = number(form, "seed", 0, SEED_MAX, true);
  return seed && seed > 0 ? seed : 1 + Math.floor(Math.random() * (SEED_MAX - 1));
}

/** Fits an image to about 4 MP, as conservative and creative upscales do ("up to 4K"). */
function to4mp(size: { width: number; height: number }): { width: number; height: number } {
  const scale = Math.max(1, Math.sqrt(4_194_304 / (size.width * size.height)));
  return { width: Math.floor(size.width * scale), height: Math.floor(size.height * scale) };
}

function sides(field: string, size: { width: number; height: number }, min: number): void {
  if (Math.min(size.width, size.height) < min) throw bad(`${field}: each side must be at least ${min} pixels`);
}

/** Checks a path's fields and limits; returns what the answer will be. Throws BadRequest as Stability would. */
async function validate(path: string, form: Map<string, string | File>, retired: Set<string>): Promise<{ output: Output; async: boolean }> {
  if (retired.has(path)) throw new BadRequest(404, "not_found", [`path: ${path} does not exist`]);
  const fmt = (allowed = OUTPUT_FORMATS) => oneOf(form, "output_format", allowed);
  switch (path) {
    case "generate/ultra":
    case "generate/core":
    case "generate/sd3": {
      prompt(form, "prompt", true);
      prompt(form, "negative_prompt", false);
      if (path === "generate/sd3") oneOf(form, "model", SD3_MODELS.filter((m) => !retired.has(m)));
      if (path === "generate/ultra") {
        const init = await image(form, "image", false);
        if (init && form.get("strength") === undefined) throw bad("strength: required when image is given");
      }
      const ratio = oneOf(form, "aspect_ratio", Object.keys(ASPECT_SIZES)) ?? "1:1";
      oneOf(form, "style_preset", STYLE_PRESETS);
      fmt();
      const [width, height] = ASPECT_SIZES[ratio]!;
      return { output: { width, height, alpha: false, seed: seedOf(form) }, async: false };
    }
    case "edit/remove-background": {
      const size = (await image(form, "image", true))!;
      pixels("image", size, 4_096, 4_194_304);
      fmt(["png", "webp"]);
      return { output: { ...size, alpha: true, seed: 0 }, async: false };
    }
    case "edit/inpaint":
    case "edit/erase": {
      const size = (await image(form, "image", true))!;
      pixels("image", size, EDIT_PX.min, EDIT_PX.max);
      // "If you don't provide an explicit mask, one will be derived from the alpha channel of the image"
      // (#tag/Edit/paths/~1v2beta~1stable-image~1edit~1inpaint/post, `mask`).
      const mask = await image(form, "mask", false);
      if (!mask && !size.transparent) throw bad("mask: required when the image has no transparent pixels to derive it from");
      prompt(form, "prompt", path === "edit/inpaint");
      number(form, "grow_mask", 0, 100, true);
      fmt();
      return { output: { ...size, alpha: false, seed: seedOf(form) }, async: false };
    }
    case "edit/outpaint": {
      const size = (await image(form, "image", true))!;
      pixels("image", size, EDIT_PX.min, EDIT_PX.max);
      aspect("image", size);
      const sides = (["left", "right", "up", "down"] as const).map((side) => number(form, side, 0, 2000, true) ?? 0);
      if (sides.every((v) => v === 0)) throw bad("left, right, up, down: at least one must be above 0");
      const [left, right, up, down] = sides as [number, number, number, number];
      prompt(form, "prompt", false);
      number(form, "creativity", 0, 1);
      fmt();
      return { output: { width: size.width + left + right, height: size.height + up + down, alpha: false, seed: seedOf(form) }, async: false };
    }
    case "edit/search-and-replace":
    case "edit/search-and-recolor": {
      const size = (await image(form, "image", true))!;
      pixels("image", size, EDIT_PX.min, EDIT_PX.max);
      aspect("image", size);
      prompt(form, "prompt", true);
      prompt(form, path === "edit/search-and-replace" ? "search_prompt" : "select_prompt", true);
      number(form, "grow_mask", 0, 20, true);
      fmt();
      return { output: { ...size, alpha: false, seed: seedOf(form) }, async: false };
    }
    case "edit/replace-background-and-relight": {
      // Subject and references: each side >= 64, 4,096..9,437,184 px, aspect 1:2.5..2.5:1
      // (#tag/Edit/paths/~1v2beta~1stable-image~1edit~1replace-background-and-relight/post; docs/providers.md).
      const size = (await image(form, "subject_image", true))!;
      const background = prompt(form, "background_prompt", false);
      const reference = await image(form, "background_reference", false);
      if (background === undefined && !reference) throw bad("background_prompt: required when background_reference is not given");
      const light = await image(form, "light_reference", false);
      for (const [field, s] of [["subject_image", size], ["background_reference", reference], ["light_reference", light]] as const) {
        if (!s) continue;
        sides(field, s, 64);
        pixels(field, s, EDIT_PX.min, EDIT_PX.max);
        aspect(field, s);
      }
      oneOf(form, "light_source_direction", LIGHT_DIRECTIONS);
      fmt();
      return { output: { ...size, alpha: false, seed: seedOf(form) }, async: true };
    }
    case "upscale/fast": {
      const size = (await image(form, "image", true))!;
      if (Math.min(size.width, size.height) < 32 || Math.max(size.width, size.height) > 1536) throw bad("image: each side must be 32 to 1536 px");
      pixels("image", size, 1_024, 1_048_576);
      fmt();
      return { output: { width: size.width * 4, height: size.height * 4, alpha: false, seed: 0 }, async: false };
    }
    case "upscale/conservative": {
      const size = (await image(form, "image", true))!;
      pixels("image", size, EDIT_PX.min, EDIT_PX.max);
      aspect("image", size);
      prompt(form, "prompt", true);
      number(form, "creativity", 0.2, 0.5);
      fmt();
      return { output: { ...to4mp(size), alpha: false, seed: seedOf(form) }, async: false };
    }
    case "upscale/creative": {
      const size = (await image(form, "image", true))!;
      pixels("image", size, 4_096, 1_048_576);
      prompt(form, "prompt", true);
      number(form, "creativity", 0.1, 0.5);
      oneOf(form, "style_preset", STYLE_PRESETS);
      fmt();
      return { output: { ...to4mp(size), alpha: false, seed: seedOf(form) }, async: true };
    }
    default:
      throw new BadRequest(404, "not_found", [`path: ${path} does not exist`]);
  }
}

async function png(output: Output): Promise<Buffer> {
  return sharp({
    create: {
      width: output.width,
      height: output.height,
      channels: output.alpha ? 4 : 3,
      background: output.alpha ? { r: 200, g: 80, b: 40, alpha: 0.5 } : { r: 40, g: 120, b: 200 },
    },
  })
    .png()
    .toBuffer();
}

function imageReply(bytes: Buffer, seed: number, accept: string): FakeReply {
  const headers = { "finish-reason": "SUCCESS", seed: String(seed) };
  if (accept.includes("application/json")) return { status: 200, body: { image: bytes.toString("base64"), finish_reason: "SUCCESS", seed } };
  return { status: 200, headers: { ...headers, "content-type": "image/png" }, body: bytes };
}

function errorReply(status: number, name: string, errors: string[]): FakeReply {
  return { status, body: stabilityError(name, errors) };
}

export async function startStabilityFake(options: { apiKey?: string; pendingPolls?: number } = {}): Promise<StabilityFake> {
  const apiKey = options.apiKey ?? STABILITY_FAKE_KEY;
  const queues = new Map<string, Entry[]>();
  const rules: { key: string; test: (request: RecordedRequest) => boolean | Promise<boolean>; action: { reply?: FakeReply; delayMs?: number } }[] = [];
  const tasks = new Map<string, Task>();
  const retired = new Set<string>();
  let lockedUntil = 0;
  const taskIds: string[] = [];
  const enqueue = (path: string, entry: Entry) => {
    const key = keyOf(path);
    queues.set(key, [...(queues.get(key) ?? []), entry]);
  };

  // Assigned once the server exists; reset() only runs after that.
  let server!: Awaited<ReturnType<typeof startFakeHttp>>;
  const fake: Omit<StabilityFake, "url" | "requests" | "close" | "requestsTo"> = {
    apiKey,
    pendingPolls: options.pendingPolls ?? 2,
    taskIds,
    failNext: (path, reply) => enqueue(path, { kind: "reply", reply }),
    passNext: (path) => enqueue(path, { kind: "normal", delayMs: 0 }),
    delayNext: (path, ms) => enqueue(path, { kind: "normal", delayMs: ms }),
    when: (path, test, action) => void rules.push({ key: keyOf(path), test, action }),
    expire: (taskId) => void tasks.delete(taskId),
    retire: (modelOrPath) => void retired.add(modelOrPath),
    credits: 42.5,
    reset: () => {
      queues.clear();
      rules.length = 0;
      tasks.clear();
      retired.clear();
      lockedUntil = 0;
      taskIds.length = 0;
      server.requests.length = 0;
    },
  };

  const scripted = async (key: string): Promise<FakeReply | undefined> => {
    const entry = queues.get(key)?.shift();
    if (!entry) return undefined;
    if (entry.kind === "reply") {
      // A 429 starts the key's lock-out: 60 s, or what the scripted Retry-After says.
      if (entry.reply.status === 429) {
        const stated = Number(entry.reply.headers?.["retry-after"] ?? NaN);
        lockedUntil = Date.now() + (Number.isFinite(stated) ? stated * 1000 : LOCKOUT_MS);
      }
      return entry.reply;
    }
    if (entry.delayMs) await new Promise((r) => setTimeout(r, entry.delayMs));
    return undefined;
  };

  server = await startFakeHttp(async (request) => {
    const key = keyOf(request.path);
    const accept = request.headers.accept ?? "image/*";
    if (request.headers.authorization !== `Bearer ${apiKey}`)
      return errorReply(401, "unauthorized", ["authorization: missing or invalid API key"]);
    if (Date.now() < lockedUntil) return errorReply(429, "rate_limit_exceeded", ["You have exceeded the rate limit; your key is timed out for 60 seconds"]);
    // https://platform.stability.ai/docs/api-reference#tag/User/paths/~1v1~1user~1balance/get
    if (request.method === "GET" && request.path === "/v1/user/balance") return { status: 200, body: { credits: fake.credits } };

    // https://platform.stability.ai/docs/api-reference#tag/Results: 202 in progress, 200 the image, 404 gone.
    if (key === "results") {
      if (request.method !== "GET") return errorReply(405, "method_not_allowed", ["method: use GET"]);
      const reply = await scripted(key);
      if (reply) return reply;
      const id = request.path.slice(RESULTS.length).split("?")[0]!;
      const task = tasks.get(id);
      if (!task) return errorReply(404, "generation_not_found", [`id: ${id} was not found or has expired`]);
      if (task.remaining > 0) {
        task.remaining--;
        return { status: 202, body: { id, status: "in-progress" } };
      }
      return imageReply(await png(task.output), task.output.seed, accept);
    }

    if (!request.path.startsWith(PREFIX)) return errorReply(404, "not_found", ["path: not found"]);
    if (request.method !== "POST") return errorReply(405, "method_not_allowed", ["method: use POST"]);
    if (request.body.length > BODY_LIMIT) return errorReply(413, "payload_too_large", ["body: must be at most 10 MiB"]);
    if (!request.form || request.form.size === 0) return errorReply(400, "bad_request", ["content-type: required (multipart/form-data)"]);

    let checked: { output: Output; async: boolean };
    try {
      checked = await validate(key, request.form, retired);
    } catch (error) {
      if (error instanceof BadRequest) return errorReply(error.status, error.errorName, error.errors);
      throw error;
    }
    const reply = await scripted(key);
    if (reply) return reply;
    for (const rule of rules) {
      if (rule.key !== key || !(await rule.test(request))) continue;
      if (rule.action.delayMs) await new Promise((r) => setTimeout(r, rule.action.delayMs));
      if (rule.action.reply) return rule.action.reply;
    }
    if (checked.async) {
      const id = randomBytes(32).toString("hex");
      tasks.set(id, { remaining: fake.pendingPolls, output: checked.output });
      taskIds.push(id);
      return { status: 200, body: { id } };
    }
    return imageReply(await png(checked.output), checked.output.seed, accept);
  });

  return Object.assign(fake, {
    url: server.url,
    requests: server.requests,
    requestsTo: (path: string) => server.requests.filter((r) => keyOf(r.path) === keyOf(path)),
    close: () => server.close(),
  });
}
