import type express from "express";
import type { Router } from "express";
import swaggerUi from "swagger-ui-express";
import { z } from "zod";
import { buildOpenApiDocument } from "./openapi";
import { describeRoute } from "./validate";
import type { RoomDocs } from "../realtime/room-docs";

/**
 * `GET /api/v1/openapi.json` and Swagger UI at `/docs`. The document is built on first request,
 * when every feature's router is mounted, and kept (routes do not change while a process runs).
 */
const openApiResponse = z
  .object({ openapi: z.literal("3.1.0"), info: z.object({ title: z.string(), version: z.string() }).loose(), paths: z.record(z.string(), z.unknown()), "x-rooms": z.array(z.unknown()) })
  .loose()
  .meta({ id: "OpenApiDocument", example: { openapi: "3.1.0", info: { title: "Limelight REST API", version: "1" }, paths: {}, "x-rooms": [] } });

export function mountApiDocs(app: express.Application, api: Router, rooms: () => RoomDocs[]): void {
  let doc: ReturnType<typeof buildOpenApiDocument> | undefined;
  const document = () => (doc ??= buildOpenApiDocument(app, rooms()));
  api.get("/openapi.json", describeRoute({ response: openApiResponse, summary: "This OpenAPI 3.1 document (rooms under `x-rooms`)" }), (_req, res) => {
    res.json(document());
  });
  app.use("/docs", swaggerUi.serveFiles(undefined, { swaggerOptions: { url: "/api/v1/openapi.json" } }), swaggerUi.setup(undefined, {
    customSiteTitle: "Limelight API",
    swaggerOptions: { url: "/api/v1/openapi.json" },
  }));
}
