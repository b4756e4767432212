// Carries values between the host and one QuickJS context. Data (primitives, bytes, plain objects, arrays,
// errors) is copied; anything with identity (host class instances, host functions, VM functions) crosses
// by reference, so the plugin sees the same node twice as the same object and the host gets its own
// objects back. Nothing here knows about Figma: the host graph is any JavaScript values.
import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle, VmCallResult } from "quickjs-emscripten-core";
import { BOOTSTRAP_FILENAME, BOOTSTRAP_HELPERS, BOOTSTRAP_SOURCE, HOST_TRAPS, KIND, type BootstrapHelper, type HostTrap } from "./bootstrap.ts";
import { SandboxError, describeError } from "./errors.ts";
import { formatValue } from "./format.ts";

/** What the membrane needs from the sandbox around it. */
export interface MembraneHost {
  /** Runs `fn` as an entry into the VM; the sandbox counts nesting so pending jobs run only at the outermost. */
  enter<T>(fn: () => T): T;
  /** Whether VM code is on the stack (the host is serving a call from the VM). */
  inside(): boolean;
  /** Runs the VM's pending jobs, unless VM code is on the stack (jobs must not run inside a call). */
  drain(): void;
  /** Host work the VM waits on; idle() waits for `settled`. */
  track(settled: Promise<void>, label: string): void;
  /** An exception escaped from the VM into the host. */
  uncaught(description: string): void;
  /** The message to give the host for an engine error (adds the limit hit to "out of memory", "interrupted"). */
  explain(name: string, message: string): string;
}

/** A host function as the VM calls it: `this` and arguments already converted. */
export type HostFunction = (this: unknown, ...args: unknown[]) => unknown;

/** Deep copies deeper than this are refused: a cycle in VM data would otherwise never end. */
const MAX_COPY_DEPTH = 100;

export class Membrane {
  private readonly helpers = new Map<BootstrapHelper, QuickJSHandle>();
  /** Host objects by the id their VM proxy carries, and each one's proxy (held, so identity lasts). */
  private readonly hostObjects = new Map<number, object>();
  private readonly proxies = new Map<object, QuickJSHandle>();
  private nextHostId = 1;
  /** VM functions by the id the bootstrap gave them, as host functions, and back. */
  private readonly hostFunctions = new Map<number, HostFunction>();
  private readonly vmFunctions = new Map<HostFunction, QuickJSHandle>();
  /** Symbols, one VM symbol per host symbol, both ways. */
  private readonly hostSymbols = new Map<number, symbol>();
  private readonly vmSymbols = new Map<symbol, QuickJSHandle>();
  private nextSymbolId = 1;
  /** VM promises standing for host promises that have not settled yet. */
  private readonly deferreds = new Set<QuickJSDeferredPromise>();
  private disposed = false;

  constructor(
    private readonly context: QuickJSContext,
    private readonly host: MembraneHost,
  ) {
    const traps = context.newObject();
    try {
      for (const trap of HOST_TRAPS) {
        const fn = context.newFunction(trap, (...args: QuickJSHandle[]) => this.guard(() => this.trap(trap, args)));
        context.setProp(traps, trap, fn);
        fn.dispose();
      }
      const bootstrap = context.unwrapResult(context.evalCode(BOOTSTRAP_SOURCE, BOOTSTRAP_FILENAME, { type: "global", strict: true }));
      const helpers = bootstrap.consume((fn) => context.unwrapResult(context.callFunction(fn, context.undefined, traps)));
      helpers.consume((object) => {
        for (const name of BOOTSTRAP_HELPERS) this.helpers.set(name, context.getProp(object, name));
      });
    } finally {
      traps.dispose();
    }
    // Well-known symbols are the same symbol on both sides (Symbol.iterator read through a proxy, say).
    const symbolStatics = Symbol as unknown as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(Symbol)) {
      const hostSymbol = symbolStatics[name];
      if (typeof hostSymbol !== "symbol") continue;
      const vmSymbol = context.getWellKnownSymbol(name);
      if (context.typeof(vmSymbol) === "symbol") this.registerSymbol(hostSymbol, vmSymbol);
      else vmSymbol.dispose();
    }
  }

  // ---- host -> VM -------------------------------------------------------------------------------------

  /** A VM value for a host value; the caller owns (and disposes) the handle. `label` names host promises. */
  toVM(value: unknown, label = "host promise"): QuickJSHandle {
    return this.toVMValue(value, label, new Map());
  }

  /**
   * `seen` holds the copies still being filled (the ancestors of `value`): a cycle becomes the same cycle in
   * the copy. Once filled, a copy leaves `seen` (its parent consumes the handle), so data reached twice
   * without a cycle is copied twice, as JSON would.
   */
  private toVMValue(value: unknown, label: string, seen: Map<object, QuickJSHandle>): QuickJSHandle {
    const c = this.context;
    switch (typeof value) {
      case "undefined":
        return c.undefined;
      case "boolean":
        return value ? c.true : c.false;
      case "number":
        return c.newNumber(value);
      case "string":
        return c.newString(value);
      case "bigint":
        return c.newBigInt(value);
      case "symbol":
        return this.symbolToVM(value);
      default:
        return value === null ? c.null : this.objectToVM(value as object, label, seen);
    }
  }

  private objectToVM(value: object, label: string, seen: Map<object, QuickJSHandle>): QuickJSHandle {
    const c = this.context;
    const known = (typeof value === "function" && this.vmFunctions.get(value as HostFunction)) || this.proxies.get(value) || seen.get(value);
    if (known) return known.dup();
    if (value instanceof Uint8Array) return this.bytesToVM(value);
    if (value instanceof ArrayBuffer) return c.newArrayBuffer(value);
    if (value instanceof Error) return this.helper("makeError", [c.newString(String(value.name)), c.newString(String(value.message))]);
    if (value instanceof Promise) return this.promiseToVM(value, label);
    if (Array.isArray(value)) {
      const array = c.newArray();
      return this.filling(value, array, seen, () => {
        for (let i = 0; i < value.length; i++) this.toVMValue(value[i], label, seen).consume((item) => c.setProp(array, i, item));
      });
    }
    const proto: unknown = typeof value === "object" ? Object.getPrototypeOf(value) : undefined;
    if (proto === Object.prototype || proto === null) {
      const object = proto === null ? c.newObject(c.null) : c.newObject();
      return this.filling(value, object, seen, () => {
        for (const [key, item] of Object.entries(value)) {
          this.toVMValue(item, label, seen).consume((vmItem) =>
            // Assigning "__proto__" would set the copy's prototype instead of making a property.
            key === "__proto__" ? c.defineProp(object, key, { value: vmItem, enumerable: true, configurable: true }) : c.setProp(object, key, vmItem),
          );
        }
      });
    }
    return this.proxyOf(value);
  }

  /** Fills a fresh copy; if that throws (a host getter, say), the copy is freed rather than leaked. */
  private filling(hostValue: object, copy: QuickJSHandle, seen: Map<object, QuickJSHandle>, fill: () => void): QuickJSHandle {
    seen.set(hostValue, copy);
    try {
      fill();
      return this.freezeLike(hostValue, copy);
    } catch (error) {
      copy.dispose();
      throw error;
    } finally {
      seen.delete(hostValue);
    }
  }

  private bytesToVM(bytes: Uint8Array): QuickJSHandle {
    const copy = bytes.slice();
    return this.helper("bytes", [this.context.newArrayBuffer(copy.buffer)]);
  }

  /** Figma's arrays (node.fills, selection) are frozen; a copy that could be pushed to would hide bugs. */
  private freezeLike(hostValue: object, vmValue: QuickJSHandle): QuickJSHandle {
    if (Object.isFrozen(hostValue)) this.helper("freeze", [vmValue.dup()]).dispose();
    return vmValue;
  }

  private proxyOf(value: object): QuickJSHandle {
    const id = this.nextHostId++;
    const proxy = this.helper("wrap", [this.context.newNumber(id), typeof value === "function" ? this.context.true : this.context.false]);
    this.hostObjects.set(id, value);
    this.proxies.set(value, proxy);
    return proxy.dup();
  }

  private promiseToVM(promise: Promise<unknown>, label: string): QuickJSHandle {
    const deferred = this.context.newPromise();
    this.deferreds.add(deferred);
    const settled = promise.then(
      (value) => this.settle(deferred, value, false),
      (error: unknown) => this.settle(deferred, error, true),
    );
    this.host.track(settled, label);
    // The caller owns the promise handle; the deferred keeps only its resolve and reject functions.
    return deferred.handle;
  }

  private settle(deferred: QuickJSDeferredPromise, value: unknown, rejected: boolean): void {
    if (this.disposed) return;
    try {
      const handle = this.toVM(value);
      try {
        this.host.enter(() => (rejected ? deferred.reject(handle) : deferred.resolve(handle)));
      } finally {
        handle.dispose();
      }
    } catch (error) {
      this.host.uncaught(`settling a host promise in the VM failed: ${describeError(error)}`);
    } finally {
      this.deferreds.delete(deferred);
      deferred.dispose();
    }
    this.host.drain();
  }

  private symbolToVM(symbol: symbol): QuickJSHandle {
    const known = this.vmSymbols.get(symbol);
    if (known) return known.dup();
    const key = Symbol.keyFor(symbol);
    const vmSymbol = key !== undefined ? this.context.newSymbolFor(key) : this.context.newUniqueSymbol(symbol.description ?? "");
    this.registerSymbol(symbol, vmSymbol);
    return vmSymbol.dup();
  }

  /** Takes ownership of `vmSymbol`. */
  private registerSymbol(hostSymbol: symbol, vmSymbol: QuickJSHandle): void {
    const id = this.nextSymbolId++;
    this.helper("symRegister", [vmSymbol.dup(), this.context.newNumber(id)]).dispose();
    this.hostSymbols.set(id, hostSymbol);
    this.vmSymbols.set(hostSymbol, vmSymbol);
  }

  // ---- VM -> host -------------------------------------------------------------------------------------

  /** The host value for a VM value; does not consume `handle`. */
  toHost(handle: QuickJSHandle): unknown {
    return this.toHostValue(handle, 0);
  }

  private toHostValue(handle: QuickJSHandle, depth: number): unknown {
    const c = this.context;
    switch (c.typeof(handle)) {
      case "undefined":
        return undefined;
      case "number":
        return c.getNumber(handle);
      case "string":
        return c.getString(handle);
      case "boolean":
        return c.eq(handle, c.true);
      case "bigint":
        return c.getBigInt(handle);
      case "symbol":
        return this.symbolToHost(handle);
    }
    if (c.eq(handle, c.null)) return null;
    if (depth > MAX_COPY_DEPTH) throw new Error(`a value nested deeper than ${MAX_COPY_DEPTH} levels (a cycle?) cannot be copied out of the sandbox`);
    const kind = this.helper("classify", [handle.dup()]).consume((k) => c.getNumber(k));
    if (kind > 0) {
      const original = this.hostObjects.get(kind);
      if (original === undefined) throw new Error(`the sandbox has no host object ${kind}`);
      return original;
    }
    switch (kind) {
      case KIND.function:
        return this.hostFunctionFor(handle);
      case KIND.array: {
        const length = c.getLength(handle) ?? 0;
        const array: unknown[] = [];
        for (let i = 0; i < length; i++) array.push(c.getProp(handle, i).consume((item) => this.toHostValue(item, depth + 1)));
        return array;
      }
      case KIND.bytes:
        return this.helper("bufferOf", [handle.dup()]).consume((buffer) => this.bufferToHost(buffer));
      case KIND.arrayBuffer:
        return this.bufferToHost(handle).buffer;
      case KIND.promise:
        return this.promiseToHost(handle);
      case KIND.error:
        return this.errorToHost(handle);
      default: {
        // Plain objects, and (as a copy of their own enumerable properties) any other VM object.
        const object: Record<string, unknown> = {};
        const keys = c.unwrapResult(c.getOwnPropertyNames(handle, { strings: true, onlyEnumerable: true, numbersAsStrings: true }));
        try {
          for (const key of keys) {
            const value = c.getProp(handle, key).consume((item) => this.toHostValue(item, depth + 1));
            Object.defineProperty(object, c.getString(key), { value, enumerable: true, writable: true, configurable: true });
          }
        } finally {
          keys.dispose();
        }
        return object;
      }
    }
  }

  private bufferToHost(buffer: QuickJSHandle): Uint8Array {
    // getArrayBuffer gives a view of a malloc'd copy on the wasm heap: copy it out, then free it.
    return this.context.getArrayBuffer(buffer).consume((view) => view.value.slice());
  }

  private symbolToHost(handle: QuickJSHandle): symbol {
    const id = this.helper("symId", [handle.dup()]).consume((h) => this.context.getNumber(h));
    const known = this.hostSymbols.get(id);
    if (known) return known;
    // Symbol.for keys stay registered symbols; any other VM symbol gets a fresh host symbol of its own.
    const symbol = this.context.getSymbol(handle);
    this.registerSymbol(symbol, handle.dup());
    return symbol;
  }

  private hostFunctionFor(handle: QuickJSHandle): HostFunction {
    const id = this.helper("fnId", [handle.dup()]).consume((h) => this.context.getNumber(h));
    const known = this.hostFunctions.get(id);
    if (known) return known;
    const vmFunction = handle.dup();
    const membrane = this;
    const hostFunction: HostFunction = function (this: unknown, ...args: unknown[]): unknown {
      return membrane.callVm(vmFunction, this, args);
    };
    this.hostFunctions.set(id, hostFunction);
    this.vmFunctions.set(hostFunction, vmFunction);
    return hostFunction;
  }

  private promiseToHost(handle: QuickJSHandle): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const c = this.context;
      // Whatever goes wrong converting the outcome must still settle the host promise.
      const settle = (convert: () => unknown, rejected: boolean): void => {
        try {
          const outcome = convert();
          if (rejected) reject(outcome);
          else resolve(outcome);
        } catch (error) {
          reject(error);
        }
      };
      const onFulfilled = c.newFunction("resolve", (value: QuickJSHandle) => settle(() => this.toHost(value), false));
      const onRejected = c.newFunction("reject", (error: QuickJSHandle) => settle(() => this.errorToHost(error), true));
      this.helper("then", [handle.dup(), onFulfilled, onRejected]).dispose();
    });
  }

  /** A host Error for a thrown VM value, with the VM's name, message and stack. */
  errorToHost(handle: QuickJSHandle): SandboxError {
    const c = this.context;
    const stringProp = (key: string): string | undefined =>
      c.getProp(handle, key).consume((value) => (c.typeof(value) === "string" ? c.getString(value) : undefined));
    if (c.typeof(handle) !== "object" || c.eq(handle, c.null)) return new SandboxError("Error", String(this.toHost(handle)), "");
    const name = stringProp("name") ?? "Error";
    const message = stringProp("message") ?? formatValue(this.toHost(handle));
    return new SandboxError(name, this.host.explain(name, message), stringProp("stack")?.replace(/\n$/, "") ?? "");
  }

  // ---- calls ------------------------------------------------------------------------------------------

  /**
   * Calls a VM function from the host, then runs the jobs it queued. A throw comes back as a SandboxError.
   * When the host calls a callback from outside the VM (delivering an event, a timer), the throw is also
   * listed in `errors`, as is the rejection of the promise an async callback returns: Figma ignores what
   * handlers return, so nobody else would see either. Called while serving the VM, the throw goes back into
   * the VM instead, where the plugin may catch it.
   */
  callVm(fn: QuickJSHandle, self: unknown, args: readonly unknown[]): unknown {
    if (this.disposed) throw new Error("the sandbox is disposed");
    const report = !this.host.inside();
    const handles: QuickJSHandle[] = [];
    let result: VmCallResult<QuickJSHandle>;
    try {
      handles.push(this.toVM(self));
      for (const arg of args) handles.push(this.toVM(arg));
      result = this.host.enter(() => this.context.callFunction(fn, handles[0]!, handles.slice(1)));
    } finally {
      for (const handle of handles) handle.dispose();
    }
    if (result.error) {
      const error = result.error.consume((e) => this.errorToHost(e));
      if (report) this.host.uncaught(describeError(error));
      this.host.drain();
      throw error;
    }
    const value = result.value.consume((v) => this.toHost(v));
    if (report && value instanceof Promise)
      value.catch((error: unknown) => {
        if (!this.disposed) this.host.uncaught(`Unhandled rejection: ${describeError(error)}`);
      });
    this.host.drain();
    return value;
  }

  /**
   * A VM function backed by a host function. Host exceptions become VM exceptions the plugin can catch.
   * The caller owns the handle.
   */
  newFunction(name: string, fn: (args: QuickJSHandle[]) => QuickJSHandle | undefined): QuickJSHandle {
    return this.context.newFunction(name, (...args: QuickJSHandle[]) => this.guard(() => fn(args)));
  }

  /** Host errors thrown while serving the VM are thrown inside it instead of tearing through the wasm stack. */
  private guard(fn: () => QuickJSHandle | undefined): QuickJSHandle | VmCallResult<QuickJSHandle> | undefined {
    try {
      return fn();
    } catch (error) {
      return { error: this.toVM(error) };
    }
  }

  private trap(trap: HostTrap, args: QuickJSHandle[]): QuickJSHandle {
    const c = this.context;
    const id = c.getNumber(args[0]!);
    const target = this.hostObjects.get(id);
    if (target === undefined) throw new Error(`the sandbox has no host object ${id}`);
    const key = (): string | symbol => this.keyToHost(args[1]!);
    const bool = (b: boolean): QuickJSHandle => (b ? c.true : c.false);
    switch (trap) {
      case "get": {
        const k = key();
        return this.toVM(Reflect.get(target, k), String(typeof k === "symbol" ? k.description : k));
      }
      case "set":
        return bool(Reflect.set(target, key(), this.toHost(args[2]!)));
      case "has":
        return bool(Reflect.has(target, key()));
      case "deleteProperty":
        return bool(Reflect.deleteProperty(target, key()));
      case "ownKeys":
        return this.toVM(Reflect.ownKeys(target));
      case "getOwnPropertyDescriptor": {
        const descriptor = Reflect.getOwnPropertyDescriptor(target, key());
        return this.toVM(descriptor && { ...descriptor });
      }
      case "defineProperty":
        return bool(Reflect.defineProperty(target, key(), this.toHost(args[2]!) as PropertyDescriptor));
      case "apply": {
        if (typeof target !== "function") throw new TypeError("not a function");
        const fn = target as HostFunction;
        const callArgs = this.toHost(args[2]!) as unknown[];
        return this.toVM(Reflect.apply(fn, this.toHost(args[1]!), callArgs), fn.name || "host function");
      }
    }
  }

  private keyToHost(handle: QuickJSHandle): string | symbol {
    return this.context.typeof(handle) === "symbol" ? this.symbolToHost(handle) : this.context.getString(handle);
  }

  /** Calls a bootstrap helper; consumes `args`, returns an owned handle. */
  private helper(name: BootstrapHelper, args: QuickJSHandle[]): QuickJSHandle {
    const fn = this.helpers.get(name);
    if (!fn) throw new Error(`no membrane helper ${name}`);
    try {
      const result = this.host.enter(() => this.context.callFunction(fn, this.context.undefined, args));
      if (result.error) throw result.error.consume((e) => this.errorToHost(e));
      return result.value;
    } finally {
      for (const arg of args) arg.dispose();
    }
  }

  /** Frees every handle the membrane holds; the context can then be disposed without leaks. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const deferred of this.deferreds) deferred.dispose();
    for (const handle of [...this.proxies.values(), ...this.vmFunctions.values(), ...this.vmSymbols.values(), ...this.helpers.values()]) handle.dispose();
    this.deferreds.clear();
    this.proxies.clear();
    this.vmFunctions.clear();
    this.vmSymbols.clear();
    this.helpers.clear();
    this.hostObjects.clear();
    this.hostFunctions.clear();
    this.hostSymbols.clear();
  }
}
