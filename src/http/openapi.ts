import type express from "express";
import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from "zod-openapi";
import { docsOf, mountedRoutes, type MountedRoute } from "./route-catalogue";
import { successStatuses, type ValidSchemas } from "./validate";
import type { Role } from "../auth/roles";
import type { RoomDocs } from "../realtime/room-docs";

/**
 * The OpenAPI 3.1 document, generated from the running app: every route found by walking the
 * Express router stack, documented from the zod schemas its `validate()` middleware really parses
 * with and the roles its `requireAuth()` demands. A route added by any feature appears without
 * being listed; a route without `validate()` is still documented (path, auth, errors).
 *
 * zod-openapi rather than zod 4's bare `z.toJSONSchema`: the latter renders one schema, while an
 * OpenAPI document also needs path/query parameters split out of an object schema, request vs
 * response renderings of the same schema (coercions and defaults differ), shared `$ref`
 * components by `.meta({ id })`, and it builds on zod 4's own JSON Schema output (no zod patch).
 */
export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "stable machine-readable code", example: "invalid_body" }),
      message: z.string().meta({ example: "The request body is not valid." }),
      details: z.unknown().optional().meta({ description: "e.g. validation issues `[{ path, message }]`" }),
    }),
  })
  .meta({ id: "Error", example: { error: { code: "invalid_body", message: "The request body is not valid.", details: [{ path: "text_content", message: "Required" }] } } });

/** Which routes are the public API (the rest are operator tools documented in the README). */
const DOCUMENTED_PREFIXES = ["/api/v1/", "/health"];

export function isDocumentedRoute(route: Pick<MountedRoute, "method" | "path">): boolean {
  return route.method !== "USE" && DOCUMENTED_PREFIXES.some((p) => route.path === p || route.path.startsWith(p));
}

/** `/stories/:id` → `/stories/{id}` */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

interface RouteDocs {
  validate: ValidSchemas;
  auth: { roles: Role[] };
}

const errorContent = { content: { "application/json": { schema: errorResponseSchema } } };

function pathParamsOf(route: MountedRoute, declared: z.ZodType | undefined): z.ZodObject | undefined {
  if (declared instanceof z.ZodObject) return declared;
  const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  return names.length ? z.object(Object.fromEntries(names.map((n) => [n, z.string()]))) : undefined;
}

function successResponse(status: number, usual: boolean, schema: z.ZodType | undefined) {
  if (status === 204) return { description: "No content." };
  if (status === 304) return { description: "Not modified (the `If-None-Match` ETag still matches)." };
  const description = usual ? "Success." : "Also a success (see the summary).";
  return { description, ...(schema ? { content: { "application/json": { schema } } } : {}) };
}

function operationOf(route: MountedRoute): ZodOpenApiOperationObject {
  const docs = docsOf<RouteDocs>(route.handlers);
  const v = docs.validate ?? {};
  const auth = docs.auth;
  const tag = route.path.split("/").filter(Boolean)[route.path.startsWith("/api/v1/") ? 2 : 0] ?? "root";
  const params = pathParamsOf(route, v.params);
  const responses: ZodOpenApiOperationObject["responses"] = {
    ...Object.fromEntries(successStatuses(v).map((s, i) => [String(s), successResponse(s, i === 0, v.response)])),
    "400": { description: "Invalid input (`invalid_body`, `invalid_query`, `invalid_params`, or a rule the request broke).", ...errorContent },
    "429": { description: "Rate limited; see `Retry-After` and `RateLimit-*` headers.", ...errorContent },
  };
  if (auth) {
    responses["401"] = { description: "Missing, invalid or expired access token.", ...errorContent };
    if (auth.roles.length) responses["403"] = { description: `Needs one of the roles: ${auth.roles.join(", ")}.`, ...errorContent };
  }
  if (v.multipart) {
    responses["413"] = { description: "A file over its type's size limit (`media_too_large`), refused without reading the rest.", ...errorContent };
    responses["415"] = { description: "A file whose bytes are not an accepted type (`unsupported_media`).", ...errorContent };
  }
  if (params) responses["404"] = { description: "Not found (or not visible to the caller).", ...errorContent };
  for (const [code, description] of Object.entries(v.errors ?? {})) responses[code as `4${string}`] = { description, ...errorContent };
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
    summary: v.summary ?? `${route.method} ${route.path}`,
    tags: [tag],
    ...(auth ? { security: [{ bearer: [] }] } : { security: [] }),
    ...(auth?.roles.length ? { "x-roles": auth.roles } : {}),
    ...(params || v.query instanceof z.ZodObject ? { requestParams: { ...(params ? { path: params } : {}), ...(v.query instanceof z.ZodObject ? { query: v.query } : {}) } } : {}),
    ...(v.body || v.multipart
      ? {
          requestBody: {
            required: true,
            content: {
              ...(v.body ? { "application/json": { schema: v.body, ...(v.example === undefined ? {} : { example: v.example }) } } : {}),
              ...(v.multipart ? { "multipart/form-data": { schema: v.multipart } } : {}),
            },
          },
        }
      : {}),
    responses,
  };
}

/** Rooms as a readable list for the document's description (Swagger UI shows it on /docs). */
function roomsMarkdown(rooms: RoomDocs[]): string {
  return rooms
    .map((r) => {
      const fields = Object.entries(r.state?.fields ?? {}).map(([k, f]) => `\`${k}\` (${f.type})`).join(", ");
      return [
        `### Room \`${r.name}\`${r.filterBy.length ? ` (one per ${r.filterBy.join(", ")})` : ""}`,
        `- join options: \`${JSON.stringify((r.joinOptions as { properties?: object } | undefined)?.properties ?? {})}\``,
        `- messages in: ${Object.keys(r.messagesIn).filter((t) => t !== "_").map((t) => `\`${t}\``).join(", ")}`,
        `- messages out: ${Object.keys(r.messagesOut).map((t) => `\`${t}\``).join(", ")}`,
        `- state \`${r.state?.type ?? "?"}\`: ${fields}`,
      ].join("\n");
    })
    .join("\n\n");
}

export function buildOpenApiDocument(app: express.Application, rooms: RoomDocs[] = []): ReturnType<typeof createDocument> & { "x-rooms": RoomDocs[] } {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of mountedRoutes(app).filter(isDocumentedRoute)) {
    const path = openApiPath(route.path);
    const item = (paths[path] ??= {}) as Record<string, ZodOpenApiOperationObject>;
    item[route.method.toLowerCase()] ??= operationOf(route); // the first route to match a request serves it
  }
  const doc = createDocument({
    openapi: "3.1.0",
    info: {
      title: "Limelight REST API",
      version: "1",
      description: [
        "Generated from the zod schemas the routes validate with. Errors are always `{ error: { code, message, details? } }`.",
        "Realtime rooms (Colyseus; full schemas under `x-rooms` in this document):",
        roomsMarkdown(rooms),
      ].join("\n\n"),
    },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    paths,
  });
  return { ...doc, "x-rooms": rooms };
}
