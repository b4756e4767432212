// Runs accepted jobs in the background: wait for a provider slot (by tier priority) → running → provider →
// (async providers: store the task ids, poll at the provider's pace) → images normalized for the canvas and
// stored → credits captured → succeeded. On any failure the hold is released: "nothing was charged".
// The ledger never depends on this process staying up: each job has a lease this runner renews; a job whose
// process died is taken over by any proxy's reaper (adopt), and its hold expires in any case.
import { setTimeout as sleep } from "node:timers/promises";
import type { Catalog } from "../../core/catalog/schema.ts";
import { createOutputSize, findModel, operationKey, tierById } from "../../core/estimate.ts";
import type { BlobStore } from "../assets/blob-store.ts";
import type { Logger } from "../logger.ts";
import type { CircuitBreaker } from "../providers/circuit-breaker.ts";
import { describeImage, forCanvas } from "../providers/image-io.ts";
import type { ProviderQueue, Slot } from "../providers/provider-queue.ts";
import type { ClusterSlot, ClusterSlots } from "../providers/cluster-slots.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import { ProviderError, type InputImage, type ProviderAdapter, type ProviderImage, type ProviderOutcome } from "../providers/types.ts";
import { optimizeForSocial, SocialInputError } from "../social/optimize.ts";
import type { Redactor } from "../redact.ts";
import type { Slots } from "../slots.ts";
import type { TeamStore } from "../teams/types.ts";
import { deliveredCharge, splitCharge } from "./charge.ts";
import type { JobChanges } from "./job-changes.ts";
import { failureOf } from "./job-failure.ts";
import type { JobRecord, JobStore, NewAsset } from "./types.ts";

export interface JobRunnerOptions {
  /** The jobs it runs: their progress, provider tasks, lease, and how they end (capture or release). */
  jobs: Pick<JobStore, "getById" | "markRunning" | "setProgress" | "setProviderTasks" | "renewLeases" | "succeed" | "fail">;
  /** A team's tier, for its place in the provider queue. */
  teams: Pick<TeamStore, "getTeam">;
  /** Inputs read, results written. */
  blobs: Pick<BlobStore, "get" | "put">;
  providers: Pick<ProviderRegistry, "adapter" | "retire">;
  catalog: Catalog;
  logger: Logger;
  jobTimeoutMs: number;
  /** The lease renewed while this runner holds a job. */
  leaseMs: number;
  queue: ProviderQueue;
  /** On PostgreSQL: the provider's slots across every proxy, asked for once the job leads this proxy's line. */
  clusterSlots?: Pick<ClusterSlots, "acquire">;
  breaker: CircuitBreaker;
  /** Told of every change this runner makes to a job (events streams listen). */
  changes?: JobChanges;
  /** The process's image slots: the social optimizer and the normalizing of results run in one. */
  imageWork: Slots;
  /** Scrubs provider keys (in any encoding) from the error a failed job keeps; see redact.ts. */
  redact?: Redactor;
}

/**
 * Places in line are written at most this often. When the head of a line leaves, every waiting job moves up
 * one: writing each move at once cost one UPDATE per waiting job per grant (with 56 jobs waiting for 8 slots,
 * most of the proxy's time). A client polls every 250 ms or more, so it never sees the difference.
 */
const QUEUE_WRITE_MS = 100;

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

const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

class ShutdownError extends ProviderError {
  constructor() {
    super("provider_unavailable", "The proxy shut down before the job finished", { countsAgainstProvider: false });
  }
}

/** This process no longer holds the job's lease (see JobRunner.letGo). */
class LeaseLostError extends ProviderError {
  constructor() {
    super("provider_unavailable", "Another proxy instance took the job over", { countsAgainstProvider: false });
  }
}

export class JobRunner {
  /** Jobs this process holds (waiting for a slot or running), with their abort switch. */
  private readonly active = new Map<string, AbortController>();
  /** Jobs waiting for a provider slot: their image count and last reported place in line. */
  private readonly waiting = new Map<string, { total: number; position: number | null }>();
  private readonly settled = new Set<Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private handingOver = false;
  /** Jobs stop() left unfinished for another proxy. */
  private readonly left = new Set<string>();
  /** Jobs whose lease this process lost: it stops working on them and never captures or releases for them. */
  private readonly lost = new Set<string>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  /** Waiting jobs whose place in line changed since it was last written. */
  private readonly moved = new Set<string>();
  /** Set while a place-in-line write is cooling down: moves are collected and written when it ends. */
  private positionsTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: JobRunnerOptions) {
    this.heartbeat = setInterval(() => {
      if (this.active.size === 0) return;
      o.jobs
        .renewLeases([...this.active.keys()], o.leaseMs)
        .then((gone) => this.letGo(gone))
        .catch((error: unknown) => o.logger.error({ err: error }, "lease renewal failed"));
    }, Math.max(100, Math.floor(o.leaseMs / 3)));
    this.heartbeat.unref();
    // Waiting jobs learn their place in line as it moves: the first move is written at once, later ones
    // at most every QUEUE_WRITE_MS, each job's latest place only.
    this.unsubscribe = o.queue.onChange((change) => {
      for (const w of change.waiting) {
        const job = this.waiting.get(w.jobId);
        if (!job || job.position === w.position) continue;
        job.position = w.position;
        this.moved.add(w.jobId);
      }
      if (this.positionsTimer === null) this.writePositions();
    });
  }

  private writePositions(): void {
    this.positionsTimer = null;
    if (this.moved.size === 0 || this.stopped) return;
    for (const id of this.moved) {
      const job = this.waiting.get(id);
      if (job?.position != null) this.report(id, { stage: "queued", queuePosition: job.position, completed: 0, total: job.total });
    }
    this.moved.clear();
    this.positionsTimer = setTimeout(() => this.writePositions(), QUEUE_WRITE_MS);
    this.positionsTimer.unref();
  }

  /** Progress is best effort and never awaited: a failed write is logged, never an unhandled rejection. */
  private report(jobId: string, progress: JobRecord["progress"]): void {
    this.o.jobs
      .setProgress(jobId, progress)
      .then(() => this.o.changes?.notify(jobId))
      .catch((error: unknown) => this.o.logger.warn({ err: error, jobId }, "progress update failed"));
  }

  /** Starts a job that was just accepted. */
  enqueue(job: string | JobRecord): void {
    const id = typeof job === "string" ? job : job.id;
    this.track(id, (signal) => this.run(typeof job === "string" ? id : job, signal));
  }

  /** Takes over a job whose process died (claimed by the reaper with a fresh lease). */
  adopt(job: JobRecord): void {
    this.track(job.id, (signal) => this.resume(job, signal));
  }

  /** Resolves when no job is held by this runner (tests, benchmarks, shutdown). */
  idle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Jobs this runner holds now. */
  get load(): number {
    return this.active.size;
  }

  /**
   * Stops: running provider calls are aborted and their jobs fail (their holds released), except jobs
   * waiting on an async provider task, which keep their hold and lease so a restarted proxy resumes them.
   * With `handOver` (a graceful shutdown, docs/architecture.md "Several instances") jobs still waiting for
   * a provider slot are left queued too, for another proxy to run. Resolves with the ids of the jobs left
   * unfinished, whose leases the caller can then release.
   */
  async stop(options: { handOver?: boolean } = {}): Promise<string[]> {
    this.stopped = true;
    this.handingOver = options.handOver === true;
    clearInterval(this.heartbeat);
    if (this.positionsTimer) clearTimeout(this.positionsTimer);
    this.unsubscribe();
    for (const controller of this.active.values()) controller.abort(new ShutdownError());
    await Promise.allSettled([...this.settled]);
    return [...this.left];
  }

  private track(jobId: string, work: (signal: AbortSignal) => Promise<void>): void {
    if (this.stopped || this.active.has(jobId)) return;
    const controller = new AbortController();
    this.active.set(jobId, controller);
    const done = work(controller.signal)
      .catch((error: unknown) => this.o.logger.error({ err: error, jobId }, "job runner failed"))
      .finally(() => {
        this.active.delete(jobId);
        this.settled.delete(done);
        this.lost.delete(jobId);
        if (this.active.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    this.settled.add(done);
  }

  /**
   * Queue priority by the team's tier. Scheduling only (no money): a tier read a few seconds ago will do. The
   * lookup itself is cached, so a batch's items wait on one read of their team, not one each.
   */
  private readonly priorities = new Map<string, { priority: Promise<number>; until: number }>();
  private priority(job: JobRecord): Promise<number> {
    const cached = this.priorities.get(job.teamId);
    if (cached && cached.until > Date.now()) return cached.priority;
    const priority = this.o.teams.getTeam(job.teamId).then((team) => (team ? tierById(this.o.catalog, team.tier).queuePriority : 0));
    if (this.priorities.size > 10_000) this.priorities.clear();
    this.priorities.set(job.teamId, { priority, until: Date.now() + 10_000 });
    priority.catch(() => this.priorities.delete(job.teamId)); // a failed read is not remembered
    return priority;
  }

  /**
   * The jobs' turns to join a provider line, in the order they were handed to this runner. Reading a job's
   * record and its team's tier takes a different time for each, so without turns a batch's items would join
   * the line (first come first served within a priority: docs/architecture.md "provider queue") in whatever
   * order those reads finished, not in index order. The reads still run at once; only joining waits.
   */
  private lineTurns: Promise<void> = Promise.resolve();
  private takeTurn(): { ready: Promise<void>; done: () => void } {
    const ready = this.lineTurns;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    // The next job's turn comes once this one joined (or gave up) and every job before it did too.
    this.lineTurns = Promise.all([ready, finished]).then(() => undefined);
    return { ready, done };
  }

  /** Runs a queued job; given its record (just accepted), it is not read again. */
  private async run(job: string | JobRecord, signal: AbortSignal): Promise<void> {
    const turn = this.takeTurn(); // before the first await: in the order the jobs were handed over
    try {
      await this.runInTurn(job, turn, signal);
    } finally {
      turn.done();
    }
  }

  private async runInTurn(job: string | JobRecord, turn: { ready: Promise<void>; done: () => void }, signal: AbortSignal): Promise<void> {
    const { jobs } = this.o;
    const queued = typeof job === "string" ? await jobs.getById(job) : job;
    if (!queued || queued.status !== "queued") return;
    if (queued.spec.operation === "social") {
      turn.done(); // no provider line to join
      return this.runSocial(queued, signal);
    }
    const jobId = queued.id;
    const provider = queued.route?.provider;
    let slot: Slot | null = null;
    let cluster: ClusterSlot | null = null;
    try {
      if (!provider) throw new ProviderError("provider_unavailable", `${queued.operation} is not available on this proxy yet`);
      const adapter = this.adapterFor(provider);
      this.waiting.set(jobId, { total: queued.progress.total, position: null });
      try {
        const priority = await this.priority(queued);
        await turn.ready;
        const granted = this.o.queue.acquire(provider, { id: jobId, priority }, signal); // joins the line at once
        turn.done();
        slot = await granted;
      } finally {
        this.waiting.delete(jobId);
      }
      this.o.breaker.check(provider);
      cluster = (await this.o.clusterSlots?.acquire(provider, jobId, signal)) ?? null;
      const job = await jobs.markRunning(jobId, queued.progress.total);
      if (!job) return; // finished elsewhere (its hold expired while it waited)
      this.o.changes?.notify(jobId);
      const images = await this.withTimeout(signal, (s) => this.produce(job, adapter, s));
      this.o.breaker.recordSuccess(provider);
      await this.finish(job, images);
    } catch (error) {
      turn.done(); // if it failed before joining, the next job need not wait for the failure's write
      if (provider && !(error instanceof ShutdownError)) this.o.breaker.recordFailure(provider, error);
      await this.failed(jobId, error);
    } finally {
      await cluster?.release(); // first: another proxy may be waiting for it
      slot?.release();
    }
  }

  /**
   * The social optimizer runs here, not at a provider: no provider slot, no circuit. Its images are made by
   * sharp from the stored input, at the catalog's exact sizes, so they need no normalizing.
   */
  private async runSocial(queued: JobRecord, signal: AbortSignal): Promise<void> {
    const spec = queued.spec;
    if (spec.operation !== "social") return;
    try {
      const job = await this.o.jobs.markRunning(queued.id, queued.progress.total);
      if (!job) return;
      this.o.changes?.notify(job.id);
      const formats = spec.formats.map((id) => this.o.catalog.social.formats.find((f) => f.id === id)!);
      const images = await this.withTimeout(signal, (s) =>
        this.o.imageWork.run(async () => {
          const input = await this.input(job, "image");
          if (!input) throw new ProviderError("provider_error", "The job's image is missing from storage");
          try {
            return await optimizeForSocial({
              image: input.bytes,
              formats,
              crop: spec.crop,
              ...(spec.focalPoint ? { focalPoint: spec.focalPoint } : {}),
              signal: s,
              onImage: (done) => this.report(job.id, { stage: "running", completed: done, total: formats.length }),
            });
          } catch (error) {
            if (error instanceof SocialInputError) throw new ProviderError("unsupported_image", error.message);
            throw error;
          }
        }, s),
      );
      const assets: Omit<NewAsset, "cost">[] = [];
      for (const image of images)
        assets.push({
          sha256: await this.o.blobs.put(image.bytes),
          contentType: image.contentType,
          width: image.width,
          height: image.height,
          bytes: image.bytes.byteLength,
          provider: null,
          model: null,
          prompt: null,
          format: image.formatId,
          content: image.bytes,
        });
      await this.record(job, assets);
    } catch (error) {
      await this.failed(queued.id, error);
    }
  }

  /** A job taken over from a dead process: never-started jobs run now; async tasks are polled again. */
  private async resume(job: JobRecord, signal: AbortSignal): Promise<void> {
    if (job.status === "queued") return this.run(job, signal);
    const provider = job.route?.provider;
    const adapter = provider ? this.o.providers.adapter(provider) : undefined;
    if (!adapter?.poll || job.providerTasks.length === 0) {
      // It was running in a process that died: whatever the provider did, we cannot collect it.
      await this.failed(job.id, new ProviderError("provider_error", "The proxy stopped while the job was running"));
      return;
    }
    this.o.logger.info({ jobId: job.id, tasks: job.providerTasks.length }, "resuming the provider tasks of an interrupted job");
    try {
      const images = await this.withTimeout(signal, (s) =>
        this.collect(job, adapter, job.providerTasks.map((id) => ({ id, pollAfterMs: 0 })), s),
      );
      await this.finish(job, images);
    } catch (error) {
      await this.failed(job.id, error);
    }
  }

  private adapterFor(provider: string): ProviderAdapter {
    const adapter = this.o.providers.adapter(provider);
    if (!adapter) throw new ProviderError("provider_unavailable", `${provider} is not configured on this proxy`);
    return adapter;
  }

  private async withTimeout<T>(signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(this.o.jobTimeoutMs);
    const both = AbortSignal.any([signal, timeout]);
    try {
      return await abortable(work(both), both);
    } catch (error) {
      if (timeout.aborted && !signal.aborted)
        throw new ProviderError("provider_error", `The provider did not answer within ${duration(this.o.jobTimeoutMs)}`);
      throw error;
    }
  }

  private async finish(job: JobRecord, images: ProviderImage[]): Promise<void> {
    if (images.length === 0) throw new ProviderError("provider_error", "The provider returned no image");
    const assets: Omit<NewAsset, "cost">[] = [];
    for (const image of images.slice(0, job.progress.total)) assets.push(await this.store(image, job));
    await this.record(job, assets);
  }

  /** Captures what estimate() prices for the delivered images (the rest of the hold returns) and records the
   * assets with their share of the charge. */
  private async record(job: JobRecord, assets: Omit<NewAsset, "cost">[]): Promise<void> {
    const { charge, freeUsed } = deliveredCharge(this.o.catalog, job.spec, job.estimate, assets.length);
    const shares = splitCharge(charge, assets.length);
    if (this.lost.has(job.id)) return; // not this process's to capture
    const done = await this.o.jobs.succeed(job.id, { charge, freeUsed, assets: assets.map((a, i) => ({ ...a, cost: shares[i]! })) }, { asHolder: true });
    if (done.status === "queued" || done.status === "running") {
      this.o.logger.warn({ jobId: job.id }, "another instance took the job over: its results here are not recorded");
      return;
    }
    this.o.changes?.notify(job.id);
    this.o.logger.info({ jobId: job.id, status: done.status, charged: done.charged, images: assets.length }, "job finished");
  }

  /**
   * Jobs whose lease could not be renewed: finished elsewhere (expired, cancelled), or taken over by another
   * instance after this process's lease lapsed (a database stall longer than the lease). Their work stops
   * here, and this process neither captures nor releases for them: the holder runs, resumes or fails the job
   * (docs/ledger.md invariant 4). The store refuses such a capture or release anyway (`asHolder`).
   */
  private letGo(jobIds: readonly string[]): void {
    for (const jobId of jobIds) {
      const controller = this.active.get(jobId);
      if (!controller || this.lost.has(jobId)) continue;
      this.lost.add(jobId);
      this.o.logger.warn({ jobId }, "no longer holds the job's lease (finished elsewhere or taken over by another instance): stopping work on it");
      controller.abort(new LeaseLostError());
    }
  }

  private async failed(jobId: string, error: unknown): Promise<void> {
    if (this.lost.has(jobId)) return; // not this process's to release
    if (error instanceof ShutdownError) {
      const job = await this.o.jobs.getById(jobId);
      // An async task keeps running upstream: leave the job to the next proxy (its lease lapses soon).
      // Handing over, a job that never reached its provider is left queued for another proxy too.
      if (job && (job.providerTasks.length > 0 || (this.handingOver && job.status === "queued"))) {
        this.left.add(jobId);
        return;
      }
    }
    if (error instanceof ProviderError && error.options.modelGone) await this.retireModel(jobId, error);
    const body = failureOf(error, this.o.redact);
    if (!(error instanceof ProviderError)) this.o.logger.error({ err: error, jobId }, "job failed unexpectedly");
    else this.o.logger.warn({ jobId, code: body.code, reason: error.message }, "job failed");
    const after = await this.o.jobs.fail(jobId, body, { asHolder: true });
    if (after.status === "queued" || after.status === "running") {
      this.o.logger.warn({ jobId }, "another instance took the job over: its failure here is not recorded");
      return;
    }
    this.o.changes?.notify(jobId);
  }

  /** The provider said the job's model is gone: no proxy on this database routes to it any more. */
  private async retireModel(jobId: string, error: ProviderError): Promise<void> {
    try {
      const route = (await this.o.jobs.getById(jobId))?.route;
      if (!route?.model) return;
      await this.o.providers.retire(route.provider, route.model, error.message);
      this.o.logger.warn({ jobId, provider: route.provider, model: route.model, reason: error.message }, "model reported gone: marked unavailable");
    } catch (cause) {
      this.o.logger.error({ err: cause, jobId }, "could not record a retired model");
    }
  }

  private async input(job: JobRecord, part: string): Promise<InputImage | undefined> {
    const sha = job.inputs[part];
    if (!sha) return undefined;
    const bytes = await this.o.blobs.get(sha);
    if (!bytes) throw new ProviderError("provider_error", `The job's ${part} image is missing from storage`);
    return describeImage(bytes, "The stored input");
  }

  /** Calls the provider for the job's operation; async outcomes are polled until their images arrive. */
  private async produce(job: JobRecord, adapter: ProviderAdapter, signal: AbortSignal): Promise<ProviderImage[]> {
    const spec = job.spec;
    const total = job.progress.total;
    let reported = 0; // markRunning wrote 0 of total
    const progress = (completed: number) => {
      const done = Math.min(completed, total);
      if (done === reported) return; // adapters report each image; the runner's own report after them is often the same
      reported = done;
      this.report(job.id, { stage: "running", completed: done, total });
    };
    const seed = ("seed" in spec && spec.seed !== undefined ? spec.seed : seedFromId(job.id)) % 4_294_967_295;
    const op = operationKey(spec);
    // The catalog's model of the route: what to ask for upstream and within which limits.
    const model = job.route?.model ? findModel(this.o.catalog, job.route.provider, job.route.model) : undefined;
    if (job.route?.model && !model) throw new ProviderError("provider_unavailable", `${job.route.provider}/${job.route.model} is no longer in this proxy's catalog`);
    let outcome: ProviderOutcome;
    if (spec.operation === "create") {
      const size = createOutputSize(this.o.catalog, spec);
      if (!adapter.create || !size || !model) throw new ProviderError("provider_unavailable", `${adapter.id} cannot create images on this proxy`);
      outcome = await adapter.create(
        {
          model,
          prompt: spec.prompt,
          ...(spec.negativePrompt ? { negativePrompt: spec.negativePrompt } : {}),
          ...(spec.stylePreset ? { stylePreset: spec.stylePreset } : {}),
          width: size.width,
          height: size.height,
          seed,
          count: spec.variations,
          onImage: progress,
        },
        signal,
      );
    } else if (spec.operation === "edit") {
      const image = await this.input(job, "image");
      if (!adapter.edit || !image) throw new ProviderError("provider_unavailable", `${adapter.id} cannot do ${op} on this proxy`);
      const [mask, backgroundReference, lightReference] = await Promise.all(["mask", "backgroundReference", "lightReference"].map((p) => this.input(job, p)));
      outcome = await adapter.edit(
        {
          kind: spec.kind,
          ...(model ? { model } : {}),
          image,
          ...(mask ? { mask } : {}),
          ...(backgroundReference ? { backgroundReference } : {}),
          ...(lightReference ? { lightReference } : {}),
          ...(spec.prompt ? { prompt: spec.prompt } : {}),
          ...(spec.negativePrompt ? { negativePrompt: spec.negativePrompt } : {}),
          ...(spec.searchPrompt ? { searchPrompt: spec.searchPrompt } : {}),
          ...(spec.selectPrompt ? { selectPrompt: spec.selectPrompt } : {}),
          ...(spec.expand ? { expand: spec.expand } : {}),
          ...(spec.lightDirection ? { lightDirection: spec.lightDirection } : {}),
          seed,
        },
        signal,
      );
    } else if (spec.operation === "upscale") {
      const image = await this.input(job, "image");
      if (!adapter.upscale || !image) throw new ProviderError("provider_unavailable", `${adapter.id} cannot do ${op} on this proxy`);
      outcome = await adapter.upscale(
        { mode: spec.mode, image, ...(spec.prompt ? { prompt: spec.prompt } : {}), ...(spec.creativity !== undefined ? { creativity: spec.creativity } : {}), seed },
        signal,
      );
    } else {
      throw new ProviderError("provider_unavailable", `${spec.operation} is not available on this proxy yet`);
    }
    if ("images" in outcome) {
      progress(outcome.images.length);
      return outcome.images;
    }
    await this.o.jobs.setProviderTasks(job.id, outcome.tasks.map((t) => t.id));
    return this.collect(job, adapter, outcome.tasks, signal);
  }

  /**
   * Polls each task at the provider's pace until it is done. A task that fails does not discard the images
   * other tasks deliver (they were made, and are billed, upstream): the job keeps and is charged for those;
   * only with nothing delivered does the first failure fail the job.
   */
  private async collect(job: JobRecord, adapter: ProviderAdapter, tasks: { id: string; pollAfterMs: number }[], signal: AbortSignal): Promise<ProviderImage[]> {
    if (!adapter.poll) throw new ProviderError("provider_error", `${adapter.id} answered with a task but cannot be polled`);
    const total = job.progress.total;
    let completed = 0;
    const results = await Promise.allSettled(
      tasks.map(async (task) => {
        let wait = task.pollAfterMs;
        for (;;) {
          if (wait > 0) await sleep(wait, undefined, { signal });
          const r = await adapter.poll!(task.id, signal);
          if (r.state === "done") {
            completed += r.images.length;
            this.report(job.id, { stage: "running", completed: Math.min(completed, total), total });
            return r.images;
          }
          wait = Math.max(50, r.pollAfterMs);
        }
      }),
    );
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new ProviderError("provider_error", "The job was stopped");
    const images = results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (images.length === 0 && failure) throw failure.reason;
    if (failure) this.o.logger.warn({ jobId: job.id, err: failure.reason, delivered: images.length, of: tasks.length }, "a task failed; the delivered images are kept");
    return images;
  }

  /** Normalizes an image for the canvas and stores its bytes; what a provider returned is checked, not trusted. */
  private async store(image: ProviderImage, job: JobRecord): Promise<Omit<NewAsset, "cost">> {
    const checked = await this.o.imageWork.run(async () => forCanvas(await describeImage(image.bytes)));
    const sha256 = await this.o.blobs.put(checked.bytes);
    const spec = job.spec;
    return {
      sha256,
      contentType: checked.contentType,
      width: checked.width,
      height: checked.height,
      bytes: checked.bytes.byteLength,
      provider: job.route?.provider ?? null,
      model: job.route?.model ?? null,
      prompt: "prompt" in spec && spec.prompt ? spec.prompt : null,
      content: checked.bytes,
    };
  }
}
