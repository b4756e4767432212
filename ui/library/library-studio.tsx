// The Library studio: the team's images, newest first, each with what it cost and what made it; filters
// (search, type, operation, provider, dates); "Load more" by cursor. Place puts an image on the canvas again
// for free (no job); Delete asks first. Thumbnails load only once their row is on screen.
import { useEffect, useRef, useState } from "preact/hooks";
import { ASSET_TYPES, type Asset } from "../../core/api/assets.ts";
import type { ApiClient } from "../connection/api-client.ts";
import { toApiError } from "../connection/api-error.ts";
import { describeError } from "../connection/error-text.ts";
import { creditsText } from "../jobs/badge.ts";
import { CostBadge } from "../jobs/cost-badge.tsx";
import type { StudioProps } from "../studio-props.ts";
import { ErrorMessage } from "../widgets/error-message.tsx";
import { Field } from "../widgets/field.tsx";
import { dateText } from "../widgets/format.ts";
import { assetQuery, canDelete, madeWith, NO_FILTERS, operationLabel, operations, placeInput, type LibraryFilters } from "./library-data.ts";
import "./library.css";

const errorText = (e: unknown) => describeError(toApiError(e));

/** Fetched once its row is on screen, shown from an object URL that is revoked when the row goes. */
function Thumb({ asset, api }: { asset: Asset; api: ApiClient }) {
  const box = useRef<HTMLSpanElement>(null);
  const [src, setSrc] = useState("");
  useEffect(() => {
    let url = "";
    const seen = new IntersectionObserver(async ([entry]) => {
      if (!entry?.isIntersecting) return;
      seen.disconnect();
      const bytes = await api.assetBytes(asset.url).catch(() => null);
      if (bytes && url === "") setSrc((url = URL.createObjectURL(new Blob([bytes], { type: asset.contentType }))));
    });
    seen.observe(box.current!);
    return () => {
      seen.disconnect();
      URL.revokeObjectURL(url);
      // A fetch still under way must not create a URL nobody revokes.
      url = "-";
    };
  }, []);
  return (
    <span class="lib-thumb" ref={box}>
      {src && <img src={src} alt="" />}
    </span>
  );
}

function Row({ asset, studio, onDeleted }: { asset: Asset; studio: StudioProps; onDeleted(): void }) {
  const { api, catalog } = studio;
  const [step, setStep] = useState<"" | "confirm" | "busy">("");
  const [note, setNote] = useState<[text: string, error: boolean] | null>(null);
  const run = async (work: () => Promise<string>) => {
    setStep("busy");
    setNote(null);
    try {
      setNote([await work(), false]);
    } catch (e) {
      setNote([errorText(e), true]);
    }
    setStep("");
  };
  return (
    <li class="member-head lib-row" data-testid="library-row" data-asset-id={asset.id}>
      <Thumb asset={asset} api={api} />
      <div class="lib-info">
        <p class="section-head">
          {operationLabel(asset.operation)} · {dateText(asset.createdAt)}
          <span class="tag" data-testid="library-cost" data-credits={asset.cost}>
            {asset.cost ? creditsText(asset.cost) : "Free"}
          </span>
        </p>
        <p class="muted">{madeWith(asset, catalog)}</p>
        {asset.prompt && <p title={asset.prompt}>{asset.prompt}</p>}
        <div class="pick">
          {step === "confirm" ? (
            <>
              Delete for the whole team?
              <button type="button" class="button secondary small" ref={(el) => el?.focus()} onClick={() => setStep("")}>
                Cancel
              </button>
              <button
                type="button"
                class="button small lib-danger"
                data-testid="library-confirm-delete"
                onClick={() =>
                  run(async () => {
                    // Already gone (deleted by someone else) is as good as deleted.
                    await api.deleteAsset(asset.id).catch((e: unknown) => {
                      if (toApiError(e).code !== "not_found") throw e;
                    });
                    onDeleted();
                    return "";
                  })
                }
              >
                Delete
              </button>
            </>
          ) : (
            <>
              <button
                type="button"
                class="button secondary small"
                data-testid="library-place"
                disabled={!!step}
                onClick={() =>
                  run(async () => {
                    // Beside the selection on the current page (no source): never on another page.
                    await studio.bridge.placeImages(placeInput(asset, () => api.assetBytes(asset.url), catalog));
                    return "Placed on the canvas, free";
                  })
                }
              >
                Place <CostBadge badge={{ state: "free", credits: 0, text: "Free", hint: null, enabled: true }} />
              </button>
              {canDelete(asset, studio.me) && (
                <button type="button" class="button secondary small" data-testid="library-delete" disabled={!!step} onClick={() => setStep("confirm")}>
                  Delete
                </button>
              )}
            </>
          )}
        </div>
        {note?.[1] ? <ErrorMessage message={note[0]} /> : note?.[0] && <p role="status">{note[0]}</p>}
      </div>
    </li>
  );
}

export function LibraryStudio(props: StudioProps) {
  const { api, catalog } = props;
  const [filters, setFilters] = useState(NO_FILTERS);
  const [query, setQuery] = useState(NO_FILTERS);
  const [list, setList] = useState<{ assets: Asset[]; next: string | null; busy: boolean; error: string | null }>({ assets: [], next: null, busy: true, error: null });
  const [shown, setShown] = useState(0);
  const latest = useRef(0);
  const root = useRef<HTMLDivElement>(null);

  const load = (cursor?: string) => {
    const mine = ++latest.current;
    setList((l) => ({ ...l, busy: true, error: null }));
    api.assets(assetQuery(query, cursor)).then(
      (page) => mine === latest.current && setList((l) => ({ assets: cursor ? [...l.assets, ...page.assets] : page.assets, next: page.nextCursor, busy: false, error: null })),
      (e: unknown) => mine === latest.current && setList((l) => ({ ...l, busy: false, error: errorText(e) })),
    );
  };
  useEffect(load, [api, query, shown]);
  // Typing in the search waits for a pause; the other filters apply at once.
  useEffect(() => {
    const timer = setTimeout(setQuery, filters.q === query.q ? 0 : 300, filters);
    return () => clearTimeout(timer);
  }, [filters]);
  // The tab stays mounted while hidden: coming back to it shows what was made meanwhile.
  useEffect(() => {
    let visible = true;
    const seen = new IntersectionObserver(([e]) => e && e.isIntersecting !== visible && (visible = e.isIntersecting) && setShown((n) => n + 1));
    seen.observe(root.current!);
    return () => seen.disconnect();
  }, []);

  const set = (key: keyof LibraryFilters, value: string) =>
    setFilters((f) => ({ ...f, [key]: value, ...(key === "type" && !f.operation.startsWith(value) ? { operation: "" } : {}) }));
  const input = (key: keyof LibraryFilters, label: string, type: string) => (
    <Field id={`library-${key}`} label={label}>
      <input type={type} value={filters[key]} onInput={(e) => set(key, e.currentTarget.value)} />
    </Field>
  );
  const select = (key: keyof LibraryFilters, label: string, all: string, options: [string, string][]) => (
    <Field id={`library-${key}`} label={label}>
      <select value={filters[key]} onChange={(e) => set(key, e.currentTarget.value)}>
        <option value="">{all}</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </Field>
  );

  return (
    <div class="view create" ref={root}>
      <div class="scroll">
        <div class="row">
          {input("q", "Search prompts", "search")}
          {select("type", "Type", "All types", ASSET_TYPES.map((t) => [t, operationLabel(t)]))}
          {select("operation", "Operation", "Any operation", operations(catalog, filters.type).map((op) => [op, operationLabel(op)]))}
          {select("provider", "Provider", "Any provider", catalog.providers.map((p) => [p.id, p.name]))}
          {input("from", "From", "date")}
          {input("to", "To", "date")}
        </div>
        {list.assets.length ? (
          <ul class="members">
            {list.assets.map((a) => (
              <Row
                key={a.id}
                asset={a}
                studio={props}
                onDeleted={() => setList((l) => ({ ...l, assets: l.assets.filter((x) => x !== a) }))}
              />
            ))}
          </ul>
        ) : (
          !list.busy &&
          !list.error && (
            <p class="empty" data-testid="library-empty">
              {JSON.stringify(query) === JSON.stringify(NO_FILTERS) ? "No images yet: what the team makes shows up here" : "No images match these filters"}
            </p>
          )
        )}
        {list.error && <ErrorMessage message={list.error} />}
        {(list.next || list.busy || list.error) && (
          <button type="button" class="button secondary" data-testid="library-more" disabled={list.busy} onClick={() => load(list.next ?? undefined)}>
            {list.busy ? "Loading…" : list.error ? "Retry" : "Load more"}
          </button>
        )}
      </div>
    </div>
  );
}
