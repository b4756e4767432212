// Images Figma holds (plugin-api.d.ts, Image: "handles to images stored by Figma"), keyed by the SHA-1 of
// their bytes, and the rules figma.createImage applies to new ones.
import { readImageHeader, type ImageKind } from "./image-header.ts";
import { decodePngToRgba, type RgbaImage } from "./png.ts";
import { sha1Hex } from "./sha1.ts";

/**
 * plugin-api.d.ts, PluginAPI.createImage: "Images have a maximum size of 4096 pixels (4K) in width and
 * height."
 */
export const MAX_IMAGE_SIDE = 4096;

/**
 * The colour the fake paints JPEG and GIF fills with: it reads their size from the header but does not
 * decode them (no decoder in plain ECMAScript). Tests that compare pixels use PNG images.
 */
export const UNDECODED_IMAGE_COLOR: readonly [number, number, number, number] = [128, 128, 128, 255];

export const isImageHash = (value: unknown): value is string => typeof value === "string" && /^[0-9a-f]{40}$/.test(value);

interface StoredImage {
  bytes: Uint8Array;
  kind: ImageKind;
  width: number;
  height: number;
  pixels: RgbaImage | null;
}

const STORE: unique symbol = Symbol("fake-figma image store");

/** plugin-api.d.ts, Image. A class, so a bridge passes it by reference; its methods hand out copies. */
export class FakeImage implements Image {
  readonly [STORE]: ImageStore;

  constructor(
    readonly hash: string,
    store: ImageStore,
  ) {
    this[STORE] = store;
  }

  /** plugin-api.d.ts, Image.getBytesAsync: "The contents of the corresponding image file." */
  async getBytesAsync(): Promise<Uint8Array> {
    return this[STORE].entry(this.hash).bytes.slice();
  }

  async getSizeAsync(): Promise<{ width: number; height: number }> {
    const { width, height } = this[STORE].entry(this.hash);
    return { width, height };
  }
}

export class ImageStore {
  private readonly images = new Map<string, StoredImage>();
  private readonly handles = new Map<string, FakeImage>();

  /**
   * developers.figma.com/docs/plugins/api/properties/figma-createimage: "The data passed in must be encoded
   * as a PNG, JPEG, or GIF. Images have a maximum size of 4096 pixels (4K) in width and height. Invalid
   * images will throw an error." Possible error cases listed there: "Image is too small", "Image is too
   * large", "Image type is unsupported". The "in createImage:" prefix follows Figma's error pattern
   * (developers.figma.com/docs/plugins/api/api-errors).
   */
  add(data: unknown): FakeImage {
    if (!(data instanceof Uint8Array)) throw new Error(`in createImage: Expected "data" to have type Uint8Array`);
    const header = readImageHeader(data);
    if (!header) throw new Error("in createImage: Image type is unsupported");
    if (header.width < 1 || header.height < 1) throw new Error("in createImage: Image is too small");
    if (header.width > MAX_IMAGE_SIDE || header.height > MAX_IMAGE_SIDE) throw new Error("in createImage: Image is too large");
    const hash = sha1Hex(data);
    if (!this.images.has(hash)) this.images.set(hash, { ...header, bytes: data.slice(), pixels: null });
    return this.handle(hash);
  }

  /** plugin-api.d.ts, PluginAPI.getImageByHash: "If there is no image with this hash, returns null." */
  get(hash: string): FakeImage | null {
    return this.images.has(hash) ? this.handle(hash) : null;
  }

  entry(hash: string): StoredImage {
    const image = this.images.get(hash);
    if (!image) throw new Error(`fake-figma: no image with hash ${hash}`);
    return image;
  }

  /** Decoded pixels for drawing: PNG decoded, JPEG and GIF a flat UNDECODED_IMAGE_COLOR. */
  pixels(hash: string): RgbaImage | null {
    const image = this.images.get(hash);
    if (!image) return null;
    if (!image.pixels) {
      if (image.kind === "PNG") image.pixels = decodePngToRgba(image.bytes);
      else {
        const data = new Uint8Array(image.width * image.height * 4);
        for (let i = 0; i < data.length; i += 4) data.set(UNDECODED_IMAGE_COLOR, i);
        image.pixels = { width: image.width, height: image.height, data };
      }
    }
    return image.pixels;
  }

  private handle(hash: string): FakeImage {
    let handle = this.handles.get(hash);
    if (!handle) this.handles.set(hash, (handle = new FakeImage(hash, this)));
    return handle;
  }
}
