// Models their provider reported gone, in the database every proxy instance shares (migration 005/004), so
// one "model not found" answer takes the model out of every proxy's routing. The first report wins: its
// reason and time are what /v1/catalog and the panel show.
import type { Db } from "../db/sql.ts";

export interface RetiredModel {
  provider: string;
  /** The id the provider was asked for (catalog `upstream`). */
  upstream: string;
  /** The provider's own words, trimmed; never our request. */
  reason: string;
  /** When it was first reported (database clock, ISO 8601). */
  since: string;
}

export interface RetiredModelStore {
  list(): Promise<RetiredModel[]>;
  /** Records the report; a model already recorded keeps its first reason and time. */
  retire(provider: string, upstream: string, reason: string): Promise<void>;
  /** Forgets a report (the provider lists the model again); true when there was one. */
  restore(provider: string, upstream: string): Promise<boolean>;
}

export class SqlRetiredModelStore implements RetiredModelStore {
  constructor(private readonly db: Db) {}

  list(): Promise<RetiredModel[]> {
    return this.db.all<RetiredModel>("SELECT provider, upstream, reason, since FROM retired_models ORDER BY provider, upstream");
  }

  async retire(provider: string, upstream: string, reason: string): Promise<void> {
    await this.db.run("INSERT INTO retired_models (provider, upstream, reason) VALUES ($1, $2, $3) ON CONFLICT (provider, upstream) DO NOTHING", [
      provider,
      upstream,
      reason.slice(0, 500),
    ]);
  }

  async restore(provider: string, upstream: string): Promise<boolean> {
    return (await this.db.run("DELETE FROM retired_models WHERE provider = $1 AND upstream = $2", [provider, upstream])) > 0;
  }
}
