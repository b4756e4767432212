// Images of placements still arriving from the panel, one message each (core/messages.ts says why). Each
// image is handed to Figma as it comes (figma.createImage), so the sandbox keeps only hashes: its memory
// holds one image at a time however many a job made. Bounded: a panel that stops halfway (closed, or its
// job's download failed) leaves an entry that a newer placement pushes out.
import type { ReceivedImage } from "./placement.ts";

/** Placements that may be arriving at once (one per studio job running in the panel, and spare). */
export const MAX_PENDING_PLACEMENTS = 16;

interface Pending {
  total: number;
  images: (ReceivedImage | undefined)[];
}

export class PendingPlacements {
  private readonly byRequest = new Map<string, Pending>();

  /** Records image `index` of `total`; returns how many of the request's images have arrived. */
  add(requestId: string, index: number, total: number, image: ReceivedImage): number {
    let pending = this.byRequest.get(requestId);
    if (pending && pending.total !== total) throw new Error(`The placement said ${pending.total} images, then ${total}`);
    if (index >= total) throw new Error(`Image ${index + 1} of ${total} does not exist`);
    if (!pending) {
      pending = { total, images: [] };
      this.byRequest.set(requestId, pending);
      // Map keeps insertion order: the first key is the oldest placement.
      if (this.byRequest.size > MAX_PENDING_PLACEMENTS) this.byRequest.delete(this.byRequest.keys().next().value!);
    }
    pending.images[index] = image;
    return pending.images.filter(Boolean).length;
  }

  /** The request's images, in order, once all have arrived; removes them. Throws if some are missing. */
  take(requestId: string): ReceivedImage[] {
    const pending = this.byRequest.get(requestId);
    this.byRequest.delete(requestId);
    if (!pending) throw new Error("None of the images reached Figma: try again");
    const images = pending.images.filter((i): i is ReceivedImage => i !== undefined);
    if (images.length !== pending.total) throw new Error(`Only ${images.length} of ${pending.total} images reached Figma: try again`);
    return images;
  }

  /** Forgets a request (its placement failed). */
  drop(requestId: string): void {
    this.byRequest.delete(requestId);
  }

  get size(): number {
    return this.byRequest.size;
  }
}
