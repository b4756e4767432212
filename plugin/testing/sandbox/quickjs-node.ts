// The engine under Node (vitest): quickjs-emscripten loads its release wasm from node_modules. One module
// per process; each sandbox makes its own runtime in it.
import { getQuickJS } from "quickjs-emscripten";
import type { QuickJSWASMModule } from "quickjs-emscripten-core";

export function loadQuickJS(): Promise<QuickJSWASMModule> {
  return getQuickJS();
}
