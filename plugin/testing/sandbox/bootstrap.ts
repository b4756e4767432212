// The VM half of the membrane: a function evaluated once per context that returns helpers the host keeps
// handles to. It is an expression, not a declaration, so it adds nothing to the sandbox's globals; the
// built-ins it uses are captured at start so plugin code that patches them cannot confuse the membrane.

/** What the bootstrap returns; every member is a VM function the host calls through its handle. */
export const BOOTSTRAP_HELPERS = ["wrap", "classify", "fnId", "symId", "symRegister", "freeze", "makeError", "bytes", "bufferOf", "then"] as const;
export type BootstrapHelper = (typeof BOOTSTRAP_HELPERS)[number];

/** The host traps the bootstrap's proxies call, each with the proxied host object's id first. */
export const HOST_TRAPS = ["get", "set", "has", "deleteProperty", "ownKeys", "getOwnPropertyDescriptor", "defineProperty", "apply"] as const;
export type HostTrap = (typeof HOST_TRAPS)[number];

/**
 * classify() codes for VM objects and functions. A positive number is instead the id of the host object
 * the value is a proxy of.
 */
export const KIND = {
  plain: -1,
  array: -2,
  bytes: -3,
  arrayBuffer: -4,
  function: -5,
  promise: -6,
  error: -7,
  other: -8,
} as const;

export const BOOTSTRAP_FILENAME = "<sandbox-membrane>";

export const BOOTSTRAP_SOURCE = `(function (traps) {
  "use strict";
  const _Proxy = Proxy, _WeakMap = WeakMap, _Map = Map, _U8 = Uint8Array, _AB = ArrayBuffer, _Promise = Promise;
  const _Error = Error, _freeze = Object.freeze, _getProto = Object.getPrototypeOf, _isArray = Array.isArray;
  const _then = Promise.prototype.then, _slice = ArrayBuffer.prototype.slice, _ObjectProto = Object.prototype;
  const ctors = { Error, TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError };
  const proxyIds = new _WeakMap();
  const fnIds = new _WeakMap();
  const symIds = new _Map();
  let nextFnId = 1;
  function wrap(id, isFunction) {
    // An arrow function as the target: callable, no non-configurable own "prototype" to trip proxy invariants.
    const target = isFunction ? () => {} : {};
    const proxy = new _Proxy(target, {
      get: (t, key) => traps.get(id, key),
      set: (t, key, value) => traps.set(id, key, value),
      has: (t, key) => traps.has(id, key),
      deleteProperty: (t, key) => traps.deleteProperty(id, key),
      ownKeys: () => traps.ownKeys(id),
      getOwnPropertyDescriptor: (t, key) => {
        const d = traps.getOwnPropertyDescriptor(id, key);
        // The target never holds the property, so reporting it non-configurable would break an invariant.
        if (d !== undefined) d.configurable = true;
        return d;
      },
      defineProperty: (t, key, descriptor) => traps.defineProperty(id, key, descriptor),
      apply: (t, self, args) => traps.apply(id, self, args),
    });
    proxyIds.set(proxy, id);
    return proxy;
  }
  function classify(value) {
    const id = proxyIds.get(value);
    if (id !== undefined) return id;
    if (typeof value === "function") return ${KIND.function};
    if (_isArray(value)) return ${KIND.array};
    if (value instanceof _U8) return ${KIND.bytes};
    if (value instanceof _AB) return ${KIND.arrayBuffer};
    if (value instanceof _Promise) return ${KIND.promise};
    if (value instanceof _Error) return ${KIND.error};
    const proto = _getProto(value);
    return proto === _ObjectProto || proto === null ? ${KIND.plain} : ${KIND.other};
  }
  function fnId(fn) {
    let id = fnIds.get(fn);
    if (id === undefined) fnIds.set(fn, (id = nextFnId++));
    return id;
  }
  return {
    wrap,
    classify,
    fnId,
    symId: (symbol) => symIds.get(symbol) || 0,
    symRegister: (symbol, id) => void symIds.set(symbol, id),
    freeze: (value) => _freeze(value),
    makeError: (name, message) => {
      const C = ctors[name];
      const error = C ? new C(message) : new _Error(message);
      if (!C) error.name = name;
      return error;
    },
    bytes: (buffer) => new _U8(buffer),
    // The bytes of a Uint8Array as an ArrayBuffer of their own (the view may cover part of a larger buffer).
    bufferOf: (view) =>
      view.byteOffset === 0 && view.byteLength === view.buffer.byteLength
        ? view.buffer
        : _slice.call(view.buffer, view.byteOffset, view.byteOffset + view.byteLength),
    then: (promise, onFulfilled, onRejected) => void _then.call(promise, onFulfilled, onRejected),
  };
})`;
