// A multipart/form-data job body, streamed: each image part goes straight to a temporary file as it
// arrives (hashed and sniffed on the way), so an upload costs a few buffers of memory, not its size (the
// Fetch API's formData() held about 3x each body). Parsing is @fastify/busboy's, a streaming parser made for
// this. On any refusal the files written so far are deleted before the error leaves, and reading stops: the
// server drains or drops what the client still sends after the answer.
import { Busboy, type BusboyFileStream, type BusboyInstance } from "@fastify/busboy";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { unlink } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { IMAGE_PARTS, type ImagePart, type ImageUpload } from "../jobs/types.ts";
import type { ImageType } from "../providers/types.ts";
import { ApiError, invalidRequest } from "./api-error.ts";

interface MultipartJob {
  specText: string;
  images: Partial<Record<ImagePart, ImageUpload>>;
}

/** The spec part is JSON of a few KB; a prompt at its longest is 10,000 characters. */
const SPEC_MAX_BYTES = 256 * 1024;

/**
 * What a multipart body may hold: one JSON text part (`specField`) and file parts whose names `isFile`
 * accepts. POST /v1/jobs takes `spec` and IMAGE_PARTS; POST /v1/batches `batch` and `items.<i>.<part>`.
 */
export interface MultipartShape {
  specField: string;
  specMaxBytes: number;
  isFile(name: string): boolean;
  /** Every part, the JSON one included. */
  maxParts: number;
  /** The part names, for messages. */
  names: string;
}

const JOB_SHAPE: MultipartShape = {
  specField: "spec",
  specMaxBytes: SPEC_MAX_BYTES,
  isFile: (name) => isImagePart(name),
  maxParts: 1 + IMAGE_PARTS.length,
  names: `spec, ${IMAGE_PARTS.join(", ")}`,
};

/** By magic bytes, not by the declared type: PNG, JPEG or WebP, else null. */
export function sniffImage(bytes: Uint8Array): ImageType | null {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "image/png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === "RIFF" && String.fromCharCode(...b.subarray(8, 12)) === "WEBP")
    return "image/webp";
  return null;
}

const isImagePart = (name: string): name is ImagePart => (IMAGE_PARTS as readonly string[]).includes(name);
const notMultipart = () => invalidRequest({ "(body)": "is not valid multipart/form-data" }, "The body could not be read");
const notAnImage = (part: string) => new ApiError("unsupported_image", `The ${part} part is not a PNG, JPEG or WebP image`, { part });

/** Sniffs the first 12 bytes and hashes everything on its way to the file. */
function inspector(part: string): { transform: Transform; result(): { size: number; contentType: ImageType; sha256: string } } {
  const hash = createHash("sha256");
  let size = 0;
  let head = Buffer.alloc(0);
  let contentType: ImageType | null | undefined;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      if (contentType === undefined) {
        head = Buffer.concat([head, chunk.subarray(0, 12)]).subarray(0, 12);
        // Refused at its first bytes: nothing more of a non-image is written.
        if (head.length === 12 && !(contentType = sniffImage(head))) return done(notAnImage(part));
      }
      done(null, chunk);
    },
    flush(done) {
      contentType ??= sniffImage(head);
      done(contentType ? null : notAnImage(part));
    },
  });
  return { transform, result: () => ({ size, contentType: contentType!, sha256: hash.digest("hex") }) };
}

export async function readMultipart(body: ReadableStream<Uint8Array> | null, contentType: string, tempPath: () => string): Promise<MultipartJob> {
  const { specText, files } = await readMultipartParts(body, contentType, tempPath, JOB_SHAPE);
  return { specText, images: files as MultipartJob["images"] };
}

/** A multipart body of `shape`: its JSON part's text, and each file part as a checked temporary file by name. */
export async function readMultipartParts(
  body: ReadableStream<Uint8Array> | null,
  contentType: string,
  tempPath: () => string,
  shape: MultipartShape,
): Promise<{ specText: string; files: Record<string, ImageUpload> }> {
  if (!body) throw notMultipart();
  const { specField, specMaxBytes } = shape;
  const limit = shape.maxParts;
  let bb: BusboyInstance;
  try {
    bb = Busboy({ headers: { "content-type": contentType }, limits: { fields: limit, files: limit, parts: limit, fieldSize: specMaxBytes, headerPairs: 20 } });
  } catch {
    throw notMultipart(); // no boundary, or not multipart at all
  }
  const images: Record<string, ImageUpload> = {};
  let specText: string | undefined;
  const written: string[] = [];
  const streams = new Set<BusboyFileStream>();
  const work: Promise<unknown>[] = [];
  const seen = new Set<string>();
  let failure: unknown;
  let parsedOrFailed!: () => void;
  const parsed = new Promise<void>((resolve) => (parsedOrFailed = resolve));
  /** Set while the reader waits for the parser to take more. */
  let wakeWriter: (() => void) | undefined;
  const fail = (error: unknown) => {
    if (failure !== undefined) return;
    failure = error;
    // With an error: a part's stream destroyed without one can leave its pipeline waiting forever.
    for (const s of streams) s.destroy(new Error("the body was refused"));
    parsedOrFailed();
    wakeWriter?.();
  };
  const claim = (name: string) => {
    if (seen.has(name)) fail(invalidRequest({ [name]: "appears more than once" }));
    seen.add(name);
    return failure === undefined;
  };

  bb.on("finish", parsedOrFailed);
  bb.on("error", () => fail(notMultipart()));
  const tooMany = () => fail(invalidRequest({ "(body)": `has too many parts; send ${specField} and at most ${limit - 1} images` }));
  bb.on("partsLimit", tooMany).on("filesLimit", tooMany).on("fieldsLimit", tooMany);

  bb.on("field", (name, value, _nameTruncated, valueTruncated) => {
    if (!claim(name)) return;
    if (name === specField) {
      if (valueTruncated) fail(invalidRequest({ [specField]: `must be at most ${specMaxBytes} bytes` }));
      else specText = value;
    } else if (shape.isFile(name)) fail(invalidRequest({ [name]: "must be a file" }));
    else fail(invalidRequest({ [name]: `is not a known part; use ${shape.names}` }));
  });

  bb.on("file", (name, stream) => {
    if (!claim(name)) return void stream.resume();
    if (name !== specField && !shape.isFile(name)) {
      fail(invalidRequest({ [name]: `is not a known part; use ${shape.names}` }));
      return void stream.resume();
    }
    streams.add(stream);
    const task =
      name === specField
        ? (async () => {
            // A spec sent as a file part (a Blob): read it, within the spec's limit.
            const chunks: Buffer[] = [];
            let size = 0;
            for await (const chunk of stream as AsyncIterable<Buffer>) {
              size += chunk.length;
              if (size > specMaxBytes) throw invalidRequest({ [specField]: `must be at most ${specMaxBytes} bytes` });
              chunks.push(chunk);
            }
            specText = Buffer.concat(chunks).toString("utf8");
          })()
        : (async () => {
            const path = tempPath();
            written.push(path);
            const inspect = inspector(name);
            await pipeline(stream, inspect.transform, createWriteStream(path, { flags: "wx" }));
            images[name] = { path, ...inspect.result() };
          })();
    // The parser's own errors (a part cut short) say the body is malformed; a file system error is ours.
    const mapped = (error: unknown) => fail(error instanceof ApiError || (error as NodeJS.ErrnoException).syscall ? error : notMultipart());
    work.push(task.catch(mapped).finally(() => streams.delete(stream)));
  });

  const reader = body.getReader();
  try {
    for (;;) {
      if (failure !== undefined) break;
      const { done, value } = await reader.read();
      if (done) {
        bb.end();
        break;
      }
      if (!bb.write(value) && failure === undefined) {
        await new Promise<void>((resolve) => {
          wakeWriter = resolve;
          bb.once("drain", resolve);
        });
        wakeWriter = undefined;
      }
    }
  } catch (error) {
    // 413 from the body limit, or the client went away mid-upload.
    fail(error instanceof ApiError ? error : invalidRequest({ "(body)": "could not be read to its end" }, "The body could not be read"));
  } finally {
    reader.releaseLock();
  }
  await parsed;
  await Promise.allSettled(work);
  if (failure === undefined && specText === undefined) fail(invalidRequest({ [specField]: "is required (a JSON part)" }));
  if (failure !== undefined) {
    bb.destroy();
    await Promise.all(written.map((p) => unlink(p).catch(() => undefined)));
    throw failure;
  }
  return { specText: specText!, files: images };
}
