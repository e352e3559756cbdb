import type express from "express";
import type { Router } from "express";
import swaggerUi from "swagger-ui-express";
import { buildOpenApiDocument } from "./openapi";
import type { RoomDocs } from "../realtime/room-docs";

/**
 * `GET /api/v1/openapi.json` and Swagger UI at `/docs`. The document is built on first request,
 * when every feature's router is mounted, and kept (routes do not change while a process runs).
 */
export function mountApiDocs(app: express.Application, api: Router, rooms: () => RoomDocs[]): void {
  let doc: ReturnType<typeof buildOpenApiDocument> | undefined;
  const document = () => (doc ??= buildOpenApiDocument(app, rooms()));
  api.get("/openapi.json", (_req, res) => {
    res.json(document());
  });
  app.use("/docs", swaggerUi.serveFiles(undefined, { swaggerOptions: { url: "/api/v1/openapi.json" } }), swaggerUi.setup(undefined, {
    customSiteTitle: "Limelight API",
    swaggerOptions: { url: "/api/v1/openapi.json" },
  }));
}
