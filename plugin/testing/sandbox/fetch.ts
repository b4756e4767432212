// The sandbox's restricted fetch. @figma/plugin-typings index.d.ts declares it as
//   const fetch: (url: string, init?: FetchOptions) => Promise<FetchResponse>
// with `FetchOptions.body?: Uint8Array | string`: no URL or Request objects, no Blob, FormData or
// ArrayBuffer bodies. The bridge refuses anything else with a TypeError inside the VM, before the host
// implementation sees it, so a plugin that relies on the browser's wider fetch fails here as in Figma.
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import type { Membrane } from "./membrane.ts";

/** The host side of the sandbox's fetch; it gets only what index.d.ts allows. */
export type SandboxFetch = (url: string, init?: FetchOptions) => Promise<FetchResponse>;

const SIGNATURE = "fetch(url: string, init?: FetchOptions) in @figma/plugin-typings index.d.ts";

export function installFetch(context: QuickJSContext, membrane: Membrane, hostFetch: SandboxFetch | undefined): void {
  const kind = (handle: QuickJSHandle | undefined): string => (handle ? vmKind(context, handle) : "nothing");
  const fn = membrane.newFunction("fetch", ([url, init]) => {
    if (!url || context.typeof(url) !== "string") throw new TypeError(`fetch: url must be a string (${SIGNATURE}); got ${kind(url)}`);
    let options: FetchOptions | undefined;
    if (init && context.typeof(init) !== "undefined") {
      if (context.typeof(init) !== "object" || context.eq(init, context.null)) throw new TypeError(`fetch: init must be a FetchOptions object (${SIGNATURE}); got ${kind(init)}`);
      options = membrane.toHost(init) as FetchOptions;
      // Only a VM Uint8Array comes out of the membrane as a host Uint8Array.
      const body: unknown = options.body;
      if (body !== undefined && typeof body !== "string" && !(body instanceof Uint8Array)) {
        const what = context.getProp(init, "body").consume(kind);
        throw new TypeError(`fetch: body must be a string or a Uint8Array (FetchOptions.body in @figma/plugin-typings index.d.ts); got ${what}`);
      }
    }
    if (!hostFetch) throw new Error("fetch: this sandbox was created without a host fetch (SandboxOptions.fetch)");
    const target = context.getString(url);
    return membrane.toVM(hostFetch(target, options), `fetch ${target}`);
  });
  fn.consume((handle) => context.setProp(context.global, "fetch", handle));
}

/** "string", "null", "an object", "a Uint16Array", "an ArrayBuffer"...: read in the VM, before any copy. */
function vmKind(context: QuickJSContext, handle: QuickJSHandle): string {
  const type = context.typeof(handle);
  if (type !== "object" && type !== "function") return type;
  if (context.eq(handle, context.null)) return "null";
  const name = context.getProp(handle, "constructor").consume((ctor) =>
    context.typeof(ctor) === "function" ? context.getProp(ctor, "name").consume((n) => (context.typeof(n) === "string" ? context.getString(n) : "")) : "",
  );
  if (!name || name === "Object") return type === "function" ? "a function" : "an object";
  return `${/^[AEIO]/.test(name) ? "an" : "a"} ${name}`;
}
