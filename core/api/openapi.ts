// The HTTP API as an OpenAPI 3.1 document, generated from the same zod schemas the proxy parses with and the
// panel reads with (z.toJSONSchema), so the document cannot drift from the code: a test checks that every
// route the proxy serves is here, that everything here is served, and that each example parses.
// GET /v1/openapi.json serves it.
import * as z from "zod";
import { assetPageSchema, assetQuerySchema, assetResponseSchema } from "./assets.ts";
import { ERROR_STATUS, errorResponseSchema, type ErrorCode } from "./errors.ts";
import { insightsResponseSchema } from "./insights.ts";
import {
  ledgerPageSchema,
  ledgerQuerySchema,
  memberCreateSchema,
  memberPatchSchema,
  memberResponseSchema,
  memberTokenResponseSchema,
  teamResponseSchema,
  usageQuerySchema,
  usageResponseSchema,
} from "./reports.ts";
import { batchResponseSchema, catalogResponseSchema, estimateRequestSchema, estimateSchema, healthSchema, jobResponseSchema, meSchema, templatesResponseSchema } from "./responses.ts";
import { batchSchema, jobSpecSchema, MAX_BATCH_ITEMS } from "./specs.ts";
import { MANAGER_OPERATIONS } from "./openapi-managers.ts";
import { AUTH_ERRORS, HOLD_ERRORS, MANAGER_ERRORS } from "./openapi-route.ts";

type Method = "get" | "post" | "patch" | "delete";

/** The image parts of a multipart job body, besides its `spec` JSON part. */
export const JOB_IMAGE_PARTS = ["image", "mask", "backgroundReference", "lightReference"] as const;

interface Success {
  status: 200 | 201 | 202 | 204;
  description: string;
  /** A JSON body; absent for 204 and for bodies described by `media`. */
  schema?: z.ZodType;
  /** A non-JSON body (image bytes, an event stream, CSV). */
  media?: Record<string, { description: string }>;
  headers?: Record<string, string>;
  example?: unknown;
}

export interface Operation {
  method: Method;
  /** Hono's form (`/v1/jobs/:id`); the document writes `{id}`. */
  path: string;
  summary: string;
  description?: string;
  /** Who may call it: no token, any member's token, or a manager's. */
  access: "public" | "member" | "manager";
  query?: z.ZodObject;
  /** A JSON body. */
  body?: z.ZodType;
  /** POST /v1/jobs also takes multipart/form-data: a `spec` JSON part and image parts. */
  multipart?: boolean;
  /** Another multipart shape than POST /v1/jobs's (POST /v1/batches): its JSON part and file parts. */
  multipartParts?: { json: { name: string; description: string }; files: Record<string, string> };
  headers?: { name: string; required: boolean; description: string }[];
  bodyExample?: unknown;
  success: Success[];
  /** The error codes this route answers with (each documented with its status and the error schema). */
  errors: ErrorCode[];
}


/** Example 4 of the cost guide, in part: the same prompt for two items of up to the tier's variations each. */
const batchExample = {
  items: [
    { operation: "create", prompt: "a product shot of a ceramic mug on a wooden table", quality: "draft", variations: 10, seed: 100 },
    { operation: "create", prompt: "a product shot of a ceramic mug on a wooden table", quality: "draft", variations: 10, seed: 110 },
  ],
};

const createSpecExample = { operation: "create", prompt: "a red fox in the snow, watercolor", quality: "standard", variations: 2, aspectRatio: "1:1" };

export const OPERATIONS: readonly Operation[] = [
  {
    method: "get",
    path: "/health",
    summary: "Liveness and readiness",
    description:
      "503 while the database cannot be reached (status \"unavailable\") and while this instance drains before exiting (status \"draining\": send it no new work).",
    access: "public",
    success: [{ status: 200, description: "The proxy is up", schema: healthSchema, example: { ok: true, status: "ok", version: "0.1.0", database: "sqlite" } }],
    errors: [],
  },
  {
    method: "get",
    path: "/v1/openapi.json",
    summary: "This document",
    access: "public",
    success: [{ status: 200, description: "The OpenAPI 3.1 document of this API" }],
    errors: [],
  },
  {
    method: "get",
    path: "/v1/catalog",
    summary: "The price catalog, tiers, and which providers and models are usable",
    access: "member",
    success: [{ status: 200, description: "The catalog the proxy prices with, and each provider's status", schema: catalogResponseSchema }],
    errors: AUTH_ERRORS,
  },
  {
    method: "get",
    path: "/v1/me",
    summary: "The caller: user, role, team, tier, balance, member cap and spend",
    access: "member",
    success: [{ status: 200, description: "The caller", schema: meSchema }],
    errors: AUTH_ERRORS,
  },
  {
    method: "post",
    path: "/v1/estimate",
    summary: "Prices a job spec (with `input: {width, height}` instead of images) or a plan; charges nothing",
    access: "member",
    body: estimateRequestSchema,
    bodyExample: createSpecExample,
    success: [{ status: 200, description: "The estimate: lines, total, whether the caller can afford it", schema: estimateSchema }],
    errors: [...AUTH_ERRORS, "invalid_request", "not_found"],
  },
  {
    method: "post",
    path: "/v1/jobs",
    summary: "Starts a job: validates, prices, holds its credits, queues it",
    description:
      "Answers 202 once the credits are held, or an error before anything is held. The same Idempotency-Key with the same request returns the first job (200, header Idempotent-Replayed: true); with another request, 422 idempotency_mismatch. The body is the spec as JSON, or multipart/form-data with a `spec` JSON part and image parts named image, mask, backgroundReference, lightReference. An instance that is shutting down answers 503 provider_unavailable with details.draining and Retry-After: retry, and another instance takes it.",
    access: "member",
    body: jobSpecSchema,
    multipart: true,
    headers: [{ name: "Idempotency-Key", required: false, description: "1 to 255 visible ASCII characters; the panel sends one per click" }],
    bodyExample: createSpecExample,
    success: [
      { status: 202, description: "The job, its credits held", schema: jobResponseSchema },
      { status: 200, description: "A replay of an earlier request with this Idempotency-Key", schema: jobResponseSchema, headers: { "Idempotent-Replayed": "true" } },
    ],
    errors: HOLD_ERRORS,
  },
  {
    method: "get",
    path: "/v1/jobs/:id",
    summary: "A job of the caller's team: status, progress, estimate, charge, assets, error",
    access: "member",
    success: [{ status: 200, description: "The job", schema: jobResponseSchema }],
    errors: [...AUTH_ERRORS, "not_found"],
  },
  {
    method: "get",
    path: "/v1/jobs/:id/events",
    summary: "Server-sent events of the job: one `job` event per change, ending when it settles",
    access: "member",
    description: "Any instance streams any job (on PostgreSQL, instances tell each other of changes). 503 provider_unavailable with Retry-After when the instance follows too many streams.",
    success: [{ status: 200, description: "An event stream", media: { "text/event-stream": { description: "`event: job` with the job's JSON (as in GET /v1/jobs/{id}) as data" } } }],
    errors: [...AUTH_ERRORS, "not_found", "provider_unavailable"],
  },
  {
    method: "post",
    path: "/v1/batches",
    summary: "Starts a batch: one operation on many images, priced once and held as one, each item a job of its own",
    description:
      `Items are job specs of one operation (at most the tier's maxBatch, ${MAX_BATCH_ITEMS} on any tier). The batch is priced once with estimate() (a line's step is its item's index) and each item holds its own share, all in one transaction: all or nothing against the balance and the member's cap. A batch over the tier's maxBatch is 400 invalid_request before anything is held; any refused item refuses the whole batch with that item's error and details.item. Each item then runs as a job (GET /v1/jobs/{id} shows it, with batch: {id, index}); a failed item's share is released when it fails, and the batch is charged the sum over delivered items. The same Idempotency-Key with the same request returns the first batch (200, Idempotent-Replayed: true); with another request, 422 idempotency_mismatch (details.batchId). The body is JSON {items} (items without images: creates), or multipart/form-data with a \`batch\` JSON part and each item's image parts named items.<i>.<part>.`,
    access: "member",
    body: batchSchema,
    multipartParts: {
      json: { name: "batch", description: "The batch, {items: [spec...]}, as JSON" },
      files: Object.fromEntries(JOB_IMAGE_PARTS.map((part) => [`items.0.${part}`, `Item 0's ${part} (PNG, JPEG or WebP); items.<i>.${part} for item i`])),
    },
    headers: [{ name: "Idempotency-Key", required: false, description: "1 to 255 visible ASCII characters; the panel sends one per click" }],
    bodyExample: batchExample,
    success: [
      { status: 202, description: "The batch, each item's credits held", schema: batchResponseSchema },
      { status: 200, description: "A replay of an earlier request with this Idempotency-Key", schema: batchResponseSchema, headers: { "Idempotent-Replayed": "true" } },
    ],
    errors: HOLD_ERRORS,
  },
  {
    method: "get",
    path: "/v1/batches/:id",
    summary: "A batch of the caller's team: status, held, charged and progress from its items, and the items",
    access: "member",
    success: [{ status: 200, description: "The batch", schema: batchResponseSchema }],
    errors: [...AUTH_ERRORS, "not_found"],
  },
  {
    method: "get",
    path: "/v1/batches/:id/events",
    summary: "Server-sent events of the batch: `batch` events at the start and at each status change, an `item` event per item change",
    description: "Ends when every item has finished (the last event is the finished batch).",
    access: "member",
    success: [
      {
        status: 200,
        description: "An event stream",
        media: {
          "text/event-stream": {
            description: "`event: batch` with {batch} (as in GET /v1/batches/{id}) as data; `event: item` with {batchId, index, job} (job as in GET /v1/jobs/{id})",
          },
        },
      },
    ],
    errors: [...AUTH_ERRORS, "not_found", "provider_unavailable"],
  },
  {
    method: "post",
    path: "/v1/batches/:id/cancel",
    summary: "Cancels the rest of a batch (its creator or a manager): items not started fail as `cancelled`, their holds released",
    description: "Running items finish and are charged as usual. Idempotent: cancelling again changes nothing.",
    access: "member",
    success: [{ status: 200, description: "The batch after the cancel", schema: batchResponseSchema }],
    errors: [...AUTH_ERRORS, "forbidden", "not_found"],
  },
  {
    method: "get",
    path: "/v1/assets",
    summary: "The team's asset library, newest first, filtered, with cursor paging",
    access: "member",
    query: assetQuerySchema,
    success: [{ status: 200, description: "A page of assets and the cursor of the next one", schema: assetPageSchema }],
    errors: [...AUTH_ERRORS, "invalid_request"],
  },
  {
    method: "get",
    path: "/v1/assets/:id",
    summary: "An asset's metadata: operation, provider, model, prompt, size, cost, parent, job",
    access: "member",
    success: [{ status: 200, description: "The asset", schema: assetResponseSchema }],
    errors: [...AUTH_ERRORS, "not_found"],
  },
  {
    method: "delete",
    path: "/v1/assets/:id",
    summary: "Deletes an asset (its maker or a manager); its bytes are freed when nothing else refers to them",
    access: "member",
    success: [{ status: 204, description: "Deleted" }],
    errors: [...MANAGER_ERRORS, "not_found"],
  },
  {
    method: "get",
    path: "/v1/assets/:id/content",
    summary: "The asset's image bytes",
    description: "Immutable: an ETag is the bytes' sha256, and If-None-Match answers 304.",
    access: "member",
    success: [{ status: 200, description: "The image", media: { "image/png": { description: "PNG" }, "image/jpeg": { description: "JPEG" } }, headers: { ETag: "the sha256 of the bytes, quoted" } }],
    errors: [...AUTH_ERRORS, "not_found"],
  },
  {
    method: "get",
    path: "/v1/templates",
    summary: "Create templates, each with its settings and what it costs the caller",
    access: "member",
    success: [{ status: 200, description: "The templates", schema: templatesResponseSchema }],
    errors: AUTH_ERRORS,
  },
  {
    method: "get",
    path: "/v1/insights",
    summary: "Ways the team (a member: themself) could have spent less this period",
    access: "member",
    success: [{ status: 200, description: "The insights", schema: insightsResponseSchema }],
    errors: [...AUTH_ERRORS, "invalid_request"],
  },
  {
    method: "get",
    path: "/v1/usage",
    summary: "Spend grouped by member, operation, provider, model or day over a range; CSV with format=csv",
    description: "A manager sees the team; a member, themself.",
    access: "member",
    query: usageQuerySchema,
    success: [
      { status: 200, description: "The usage report (JSON), or the same rows as CSV with format=csv", schema: usageResponseSchema, media: { "text/csv": { description: "One row per group, with a header line" } } },
    ],
    errors: [...AUTH_ERRORS, "invalid_request"],
  },
  {
    method: "get",
    path: "/v1/ledger",
    summary: "The team's ledger entries, newest first, with cursor paging",
    access: "manager",
    query: ledgerQuerySchema,
    success: [{ status: 200, description: "A page of entries", schema: ledgerPageSchema }],
    errors: [...MANAGER_ERRORS, "invalid_request", "not_found"],
  },
  {
    method: "get",
    path: "/v1/team",
    summary: "The team: tier, balance, period, members with their spend and caps",
    access: "manager",
    success: [{ status: 200, description: "The team", schema: teamResponseSchema }],
    errors: MANAGER_ERRORS,
  },
  {
    method: "post",
    path: "/v1/team/members",
    summary: "Adds a member; answers its token, shown this once",
    access: "manager",
    body: memberCreateSchema,
    bodyExample: { name: "Bo", role: "member", monthlyCap: 200 },
    success: [{ status: 201, description: "The member and its token", schema: memberTokenResponseSchema }],
    errors: [...MANAGER_ERRORS, "invalid_request"],
  },
  {
    method: "patch",
    path: "/v1/team/members/:id",
    summary: "Changes a member's monthly cap, role, or disables them",
    access: "manager",
    body: memberPatchSchema,
    bodyExample: { monthlyCap: 300 },
    success: [{ status: 200, description: "The member", schema: memberResponseSchema }],
    errors: [...MANAGER_ERRORS, "invalid_request", "not_found"],
  },
  {
    method: "post",
    path: "/v1/team/members/:id/token",
    summary: "Rotates a member's token: the old ones stop working; the new one is shown this once",
    access: "manager",
    success: [{ status: 200, description: "The member and its new token", schema: memberTokenResponseSchema }],
    errors: [...MANAGER_ERRORS, "not_found"],
  },
  ...MANAGER_OPERATIONS,
];

/** `/v1/jobs/:id` as OpenAPI writes it. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Json {
  // Schemas with refinements or transforms still describe their shape; what JSON Schema cannot say
  // (a Uint8Array, a custom check) becomes `{}`, which accepts anything, rather than failing the document.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any", reused: "inline" }) as Json;
  return rest;
}

function queryParameters(query: z.ZodObject): Json[] {
  const shape = jsonSchema(query, "input") as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(shape.properties ?? {}).map(([name, schema]) => ({ name, in: "query", required: shape.required?.includes(name) ?? false, schema }));
}

function errorResponses(codes: readonly ErrorCode[]): Json {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const schema = { $ref: "#/components/schemas/Error" };
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [String(status), { description: list.join(", "), content: { "application/json": { schema } } }]),
  );
}

function successResponse(s: Success): Json {
  const content: Json = {};
  if (s.schema) content["application/json"] = { schema: jsonSchema(s.schema, "output"), ...(s.example !== undefined ? { example: s.example } : {}) };
  for (const [type, media] of Object.entries(s.media ?? {}))
    content[type] = { schema: { type: "string", ...(type.startsWith("image/") ? { contentEncoding: "binary" } : {}), description: media.description } };
  return {
    description: s.description,
    ...(Object.keys(content).length ? { content } : {}),
    ...(s.headers ? { headers: Object.fromEntries(Object.entries(s.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }])) } : {}),
  };
}

function requestBody(op: Operation): Json | undefined {
  if (!op.body) return undefined;
  const schema = jsonSchema(op.body, "input");
  const content: Json = { "application/json": { schema, ...(op.bodyExample !== undefined ? { example: op.bodyExample } : {}) } };
  if (op.multipartParts)
    content["multipart/form-data"] = {
      schema: {
        type: "object",
        required: [op.multipartParts.json.name],
        properties: {
          [op.multipartParts.json.name]: { type: "string", contentMediaType: "application/json", description: op.multipartParts.json.description },
          ...Object.fromEntries(Object.entries(op.multipartParts.files).map(([part, description]) => [part, { type: "string", contentEncoding: "binary", description }])),
        },
      },
    };
  else if (op.multipart)
    content["multipart/form-data"] = {
      schema: {
        type: "object",
        required: ["spec"],
        properties: {
          spec: { type: "string", contentMediaType: "application/json", description: "The job spec, as JSON" },
          ...Object.fromEntries(JOB_IMAGE_PARTS.map((part) => [part, { type: "string", contentEncoding: "binary", description: "PNG, JPEG or WebP" }])),
        },
      },
    };
  return { required: true, content };
}

function operationObject(op: Operation): Json {
  const pathParams = [...op.path.matchAll(/:(\w+)/g)].map(([, name]) => ({ name, in: "path", required: true, schema: { type: "string" } }));
  const headerParams = (op.headers ?? []).map((h) => ({ name: h.name, in: "header", required: h.required, description: h.description, schema: { type: "string" } }));
  const body = requestBody(op);
  return {
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(op.access === "public" ? { security: [] } : {}),
    ...(op.access === "manager" ? { "x-role": "manager" } : {}),
    parameters: [...pathParams, ...(op.query ? queryParameters(op.query) : []), ...headerParams],
    ...(body ? { requestBody: body } : {}),
    responses: { ...Object.fromEntries(op.success.map((s) => [String(s.status), successResponse(s)])), ...errorResponses(op.errors) },
  };
}

/** The OpenAPI 3.1 document of the API, for `version` of the proxy. */
export function openApiDocument(version: string): Json {
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS) (paths[openApiPath(op.path)] ??= {})[op.method] = operationObject(op);
  return {
    openapi: "3.1.0",
    info: {
      title: "Image Studio proxy",
      version,
      description: "The proxy behind the Image Studio Figma plugin: prices, a prepaid credit ledger per team, AI image jobs and the asset library. JSON field names are camelCase; every error is a status plus `{ error: { code, message, details } }`.",
    },
    servers: [{ url: "http://localhost:8787" }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A member's token (tokens are stored hashed and shown once)" } },
      schemas: { Error: jsonSchema(errorResponseSchema, "output") },
    },
  };
}
