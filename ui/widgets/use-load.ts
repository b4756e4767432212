// Data a view loads from the proxy, with the loading and failed states it shows meanwhile.
import { useEffect, useState } from "preact/hooks";
import { toApiError, type ApiError } from "../connection/api-error.ts";

export type Load<T> = { status: "loading" } | { status: "ready"; data: T; at: number } | { status: "error"; error: ApiError };

/**
 * Loads on mount, on `reload()`, and whenever `key` changes (the caller's balance after a job), keeping the
 * figures on screen while a reload runs; an answer for an older request never replaces a newer one.
 */
export function useLoad<T>(load: () => Promise<T>, key: string): { state: Load<T>; reloading: boolean; reload(): void } {
  const [state, setState] = useState<Load<T>>({ status: "loading" });
  const [reloading, setReloading] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    setReloading(true);
    load().then(
      (data) => current && (setState({ status: "ready", data, at: Date.now() }), setReloading(false)),
      (error: unknown) => current && (setState({ status: "error", error: toApiError(error) }), setReloading(false)),
    );
    return () => {
      current = false;
    };
    // `load` is a fresh closure each render; what it reads changes only with `key` (or on `reload()`).
  }, [key, attempt]);
  return { state, reloading, reload: () => setAttempt((n) => n + 1) };
}
