// Runs accepted jobs in the background: queued → running → provider → assets stored → credits captured →
// succeeded; on any failure the hold is released and the job fails with "nothing was charged".
// A few jobs run at once; the rest wait in FIFO order. The ledger never depends on this process staying up:
// a job lost in a crash keeps its hold only until the hold's expiry.
import sharp from "sharp";
import type { ApiErrorBody } from "../../core/api/errors.ts";
import type { Catalog } from "../../core/catalog/schema.ts";
import { createOutputSize } from "../../core/estimate.ts";
import type { Logger } from "../logger.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import { ProviderError, type ProviderImage } from "../providers/types.ts";
import type { Stores } from "../stores.ts";
import { chargeForDelivered, splitCharge } from "./charge.ts";
import type { JobRecord, NewAsset } from "./types.ts";

export interface JobRunnerOptions {
  stores: Stores;
  providers: ProviderRegistry;
  catalog: Catalog;
  logger: Logger;
  jobTimeoutMs: number;
  maxConcurrent?: number;
}

const NOTHING_CHARGED = "Nothing was charged.";

/** A stable seed per job when the spec names none, so a job's images are reproducible from its id. */
function seedFromId(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // Adapters should honour the signal; this makes sure a job ends at its timeout even if one does not.
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new ProviderError("provider_error", "The job was stopped"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export class JobRunner {
  private readonly queue: string[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly settled = new Set<Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private readonly maxConcurrent: number;

  constructor(private readonly o: JobRunnerOptions) {
    this.maxConcurrent = o.maxConcurrent ?? 4;
  }

  enqueue(jobId: string): void {
    if (this.stopped) return;
    this.queue.push(jobId);
    this.pump();
  }

  /** Resolves when no job is queued or running (tests, shutdown). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking jobs, aborts the running ones and fails the queued ones; each releases its hold. */
  async stop(): Promise<void> {
    this.stopped = true;
    const waiting = this.queue.splice(0);
    for (const controller of this.running.values())
      controller.abort(new ProviderError("provider_unavailable", "The proxy shut down before the job finished."));
    await Promise.allSettled([...this.settled]);
    for (const id of waiting)
      await this.o.stores.jobs.fail(id, { code: "provider_unavailable", message: `The proxy shut down before the job started. ${NOTHING_CHARGED}` });
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.maxConcurrent && this.queue.length > 0) {
      const id = this.queue.shift()!;
      const controller = new AbortController();
      this.running.set(id, controller);
      const done = this.run(id, controller)
        .catch((error: unknown) => this.o.logger.error({ err: error, jobId: id }, "job runner failed"))
        .finally(() => {
          this.running.delete(id);
          this.settled.delete(done);
          this.pump();
          if (this.queue.length === 0 && this.running.size === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
      this.settled.add(done);
    }
  }

  private async run(jobId: string, controller: AbortController): Promise<void> {
    const { jobs } = this.o.stores;
    const job = await jobs.markRunning(jobId);
    if (!job) return; // finished elsewhere (expired, or a duplicate enqueue)
    const timer = setTimeout(
      () => controller.abort(new ProviderError("provider_error", `The provider did not answer within ${Math.round(this.o.jobTimeoutMs / 1000)} s.`)),
      this.o.jobTimeoutMs,
    );
    try {
      const assets = await this.produce(job, controller.signal);
      const requested = job.progress.total;
      const charge = chargeForDelivered(job.estimate.total, assets.length, requested);
      const shares = splitCharge(charge, assets.length);
      const done = await jobs.succeed(jobId, { charge, assets: assets.map((a, i) => ({ ...a, cost: shares[i]! })) });
      this.o.logger.info({ jobId, status: done.status, charged: done.charged, images: assets.length }, "job finished");
    } catch (error) {
      const body = this.failure(error);
      if (!(error instanceof ProviderError)) this.o.logger.error({ err: error, jobId }, "job failed unexpectedly");
      else this.o.logger.warn({ jobId, code: body.code, reason: error.message }, "job failed");
      await jobs.fail(jobId, body);
    } finally {
      clearTimeout(timer);
    }
  }

  private failure(error: unknown): ApiErrorBody {
    if (error instanceof ProviderError) return { code: error.code, message: `${error.message.replace(/\.?$/, ".")} ${NOTHING_CHARGED}` };
    return { code: "provider_error", message: `The image could not be made. ${NOTHING_CHARGED}` };
  }

  /** Calls the provider and stores what it returned; the images are checked, not trusted. */
  private async produce(job: JobRecord, signal: AbortSignal): Promise<Omit<NewAsset, "cost">[]> {
    const spec = job.spec;
    if (spec.operation !== "create" || !job.route)
      throw new ProviderError("provider_unavailable", `${spec.operation} is not available on this proxy yet`);
    const adapter = this.o.providers.adapter(job.route.provider);
    if (!adapter?.create) throw new ProviderError("provider_unavailable", `${job.route.provider} cannot create images on this proxy`);
    const size = createOutputSize(this.o.catalog, spec);
    if (!size) throw new ProviderError("provider_error", "The job has no output size");
    const total = job.progress.total;
    const images = await abortable(
      adapter.create(
        {
          model: job.route.model ?? "",
          prompt: spec.prompt,
          ...(spec.negativePrompt ? { negativePrompt: spec.negativePrompt } : {}),
          ...(spec.stylePreset ? { stylePreset: spec.stylePreset } : {}),
          width: size.width,
          height: size.height,
          seed: spec.seed ?? seedFromId(job.id),
          count: spec.variations,
          onImage: (completed) => void this.o.stores.jobs.setProgress(job.id, { stage: "running", completed: Math.min(completed, total), total }),
        },
        signal,
      ),
      signal,
    );
    if (images.length === 0) throw new ProviderError("provider_error", "The provider returned no image");
    const out: Omit<NewAsset, "cost">[] = [];
    for (const image of images.slice(0, spec.variations)) out.push(await this.store(image, job));
    return out;
  }

  private async store(image: ProviderImage, job: JobRecord): Promise<Omit<NewAsset, "cost">> {
    let meta: sharp.Metadata;
    try {
      meta = await sharp(image.bytes).metadata();
    } catch (cause) {
      throw new ProviderError("provider_error", "The provider returned an image that cannot be decoded", { cause });
    }
    const contentType = meta.format === "png" ? "image/png" : meta.format === "jpeg" ? "image/jpeg" : null;
    if (!contentType || !meta.width || !meta.height) throw new ProviderError("provider_error", `The provider returned an unsupported image (${meta.format ?? "unknown"})`);
    const sha256 = await this.o.stores.blobs.put(image.bytes);
    const spec = job.spec;
    return {
      sha256,
      contentType,
      width: meta.width,
      height: meta.height,
      bytes: image.bytes.byteLength,
      provider: job.route?.provider ?? null,
      model: job.route?.model ?? null,
      prompt: spec.operation === "create" ? spec.prompt : null,
    };
  }
}
