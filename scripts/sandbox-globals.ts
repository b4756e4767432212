// The globals Figma's plugin sandbox (QuickJS) adds to the ECMAScript built-ins: exactly what
// @figma/plugin-typings declares at the top of its index.d.ts, inside `declare global`:
//   const figma: PluginAPI; const __html__: string; const __uiFiles__: {...}; const console: Console;
//   function setTimeout / clearTimeout / setInterval / clearInterval;
//   const fetch: (url: string, init?: FetchOptions) => Promise<FetchResponse>
// (see docs/figma.md, "Main thread (sandbox)"). Nothing else: no URL, TextEncoder,
// structuredClone, AbortController, atob/btoa, crypto, queueMicrotask. Kept free of imports so the sandbox
// harness's tests can hold it against what the harness defines.
export const SANDBOX_GLOBALS = [
  "figma",
  "__html__",
  "__uiFiles__",
  "console",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "fetch",
] as const;
