// The CSV export of this period's spend: downloaded at once where Figma allows it, and always offered as a
// link and as text to copy.
import { useEffect, useRef, useState } from "preact/hooks";
import type { UsageResponse } from "../../core/api/reports.ts";
import type { ApiClient } from "../connection/api-client.ts";
import { toApiError } from "../connection/api-error.ts";
import { describeError } from "../connection/error-text.ts";
import { ErrorMessage } from "../widgets/error-message.tsx";
import { countText } from "../widgets/format.ts";
import { SectionHead } from "../widgets/section-head.tsx";
import { CSV_GROUPS, csvFallbackName, csvSummary } from "./team-data.ts";

type CsvState = { status: "idle" } | { status: "busy" } | { status: "ready"; text: string; name: string; url: string | null; rows: number } | { status: "error"; message: string };

/** The Blob URL for a download; null where Blob URLs are not available (the text is shown either way). */
function blobUrl(text: string): string | null {
  try {
    return URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  } catch {
    return null;
  }
}

export function CsvExport({ api, usage }: { api: ApiClient; usage: UsageResponse }) {
  const [csv, setCsv] = useState<CsvState>({ status: "idle" });
  const [showText, setShowText] = useState(false);
  const link = useRef<HTMLAnchorElement>(null);
  const url = csv.status === "ready" ? csv.url : null;
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  // A fresh export starts its download at once; Figma may block downloads from a plugin, so the link and
  // the text stay on screen as well.
  useEffect(() => {
    if (url) link.current?.click();
  }, [url]);

  const run = async () => {
    setCsv({ status: "busy" });
    try {
      const { text, filename } = await api.usageCsv({ groupBy: CSV_GROUPS, from: usage.from, to: usage.to });
      setCsv({ status: "ready", text, name: filename ?? csvFallbackName(usage.from, usage.to), url: blobUrl(text), rows: csvSummary(text).rows });
    } catch (e) {
      setCsv({ status: "error", message: describeError(toApiError(e)) });
    }
  };

  return (
    <section class="team-section" aria-labelledby="team-export-title">
      <SectionHead id="team-export-title" title="Export">
        <button type="button" class="button secondary small" data-testid="csv-export" disabled={csv.status === "busy"} onClick={run}>
          {csv.status === "busy" ? "Exporting…" : "Export CSV"}
        </button>
      </SectionHead>
      <p class="muted">This period's spend by day, member, operation, provider and model.</p>
      {csv.status === "error" && <ErrorMessage message={csv.message} />}
      {csv.status === "ready" && (
        <div class="csv" data-testid="csv-ready" data-rows={csv.rows}>
          <p>
            {csv.url ? (
              <a ref={link} class="link" href={csv.url} download={csv.name} data-testid="csv-download">
                Download {csv.name}
              </a>
            ) : (
              csv.name
            )}{" "}
            <span class="muted">· {countText(csv.rows, "row")}</span>
          </p>
          <button type="button" class="link" aria-expanded={showText} aria-controls="csv-text" onClick={() => setShowText((s) => !s)}>
            {showText ? "Hide the text" : "No download? Show it as text to copy"}
          </button>
          {showText && (
            <textarea
              id="csv-text"
              class="csv-text"
              data-testid="csv-text"
              aria-label="CSV export text"
              readOnly
              rows={6}
              value={csv.text}
              onFocus={(e) => e.currentTarget.select()}
            />
          )}
        </div>
      )}
    </section>
  );
}
