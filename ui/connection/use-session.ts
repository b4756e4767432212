// Loads what the panel needs from the proxy once settings are known: the catalog (prices, providers) and
// the caller (tier, balance, caps). `refreshMe` re-reads the balance after a job.
import { useCallback, useLayoutEffect, useState } from "preact/hooks";
import type { Me, ProviderStatus } from "../../core/api/responses.ts";
import type { Catalog } from "../../core/catalog/schema.ts";
import type { ApiClient } from "./api-client.ts";
import { toApiError, type ApiError } from "./api-error.ts";

export type Session =
  | { status: "idle" }
  | { status: "loading" }
  | { status: "ready"; catalog: Catalog; providers: ProviderStatus[]; me: Me }
  | { status: "error"; error: ApiError };

export function useSession(api: ApiClient | null): { session: Session; refreshMe: () => Promise<void>; reload: () => void } {
  const [session, setSession] = useState<Session>({ status: "idle" });
  const [attempt, setAttempt] = useState(0);

  // A layout effect: the requests leave with the render that has the token, not a frame later.
  useLayoutEffect(() => {
    if (!api) {
      setSession({ status: "idle" });
      return;
    }
    let current = true;
    setSession({ status: "loading" });
    Promise.all([api.catalog(), api.me()]).then(
      ([catalog, me]) => current && setSession({ status: "ready", catalog: catalog.catalog, providers: catalog.providers, me }),
      (error: unknown) => current && setSession({ status: "error", error: toApiError(error) }),
    );
    // A reply for settings that have since changed must not overwrite the newer session.
    return () => {
      current = false;
    };
  }, [api, attempt]);

  const refreshMe = useCallback(async () => {
    if (!api) return;
    try {
      const me = await api.me();
      setSession((s) => (s.status === "ready" ? { ...s, me } : s));
    } catch {
      // The balance keeps its last value; the next job or reload tries again.
    }
  }, [api]);

  return { session, refreshMe, reload: useCallback(() => setAttempt((n) => n + 1), []) };
}
