// Reads the harness page's query (contract.ts, HarnessQuery): JSON for the lists and records.
import type { HarnessQuery } from "./contract.ts";

function json<T>(params: URLSearchParams, name: string): T | undefined {
  const text = params.get(name);
  return text === null ? undefined : (JSON.parse(text) as T);
}

export function readQuery(search: string): HarnessQuery {
  const params = new URLSearchParams(search);
  const query: HarnessQuery = { theme: params.get("theme") === "dark" ? "dark" : "light", selection: json(params, "selection") ?? [] };
  const proxy = params.get("proxy");
  const token = params.get("token");
  const selected = json<string[]>(params, "selected");
  const pages = json<string[]>(params, "pages");
  const storage = json<Record<string, unknown>>(params, "storage");
  if (proxy) query.proxy = proxy;
  if (token) query.token = token;
  if (selected) query.selected = selected;
  if (pages) query.pages = pages;
  if (storage) query.storage = storage;
  return query;
}

/** The query string for `query` (the Node side builds it with this too). */
export function writeQuery(query: HarnessQuery): string {
  const params = new URLSearchParams({ theme: query.theme, selection: JSON.stringify(query.selection) });
  if (query.proxy) params.set("proxy", query.proxy);
  if (query.token) params.set("token", query.token);
  if (query.selected) params.set("selected", JSON.stringify(query.selected));
  if (query.pages) params.set("pages", JSON.stringify(query.pages));
  if (query.storage) params.set("storage", JSON.stringify(query.storage));
  return params.toString();
}
