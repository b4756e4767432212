// The price catalog: the default of core/, or the operator's JSON file (CATALOG_PATH). A file the schema
// refuses stops the start with the path of the bad field, because a wrong price must never be charged.
import { readFile } from "node:fs/promises";
import { catalogSchema, type Catalog } from "../core/catalog/schema.ts";
import { DEFAULT_CATALOG } from "../core/catalog/default-catalog.ts";
import { StartupError } from "./startup-error.ts";

export class CatalogError extends StartupError {
  override name = "CatalogError";
}

export async function loadCatalog(catalogPath: string | undefined): Promise<Catalog> {
  if (!catalogPath) return catalogSchema.parse(DEFAULT_CATALOG);
  const where = `CATALOG_PATH ${catalogPath}`;
  let text: string;
  try {
    text = await readFile(catalogPath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new CatalogError(`${where}: cannot read the file (${code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CatalogError(`${where}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = catalogSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`);
    throw new CatalogError(`${where}: ${problems.join("; ")}`);
  }
  return parsed.data;
}
