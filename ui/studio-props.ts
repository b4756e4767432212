// What the panel (app.tsx) gives every studio: the catalog and the caller as the proxy describes them, the
// proxy and the plugin to run jobs with, the canvas selection, and a Regenerate relaunch of its own result.
import type { Me, ProviderStatus } from "../core/api/responses.ts";
import type { Catalog } from "../core/catalog/schema.ts";
import type { Provenance, Selection } from "../core/messages.ts";
import type { JobHost } from "./jobs/use-job.ts";

export interface StudioProps extends JobHost {
  catalog: Catalog;
  providers: ProviderStatus[];
  me: Me;
  selection: Selection;
  /** "Regenerate" on a result of this studio: the settings that made it. */
  relaunch?: Provenance | undefined;
}
