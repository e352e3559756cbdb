import express from "express";
import { existsSync } from "node:fs";
import path from "node:path";
import { webDistDir } from "./build";

/**
 * The browser client at `/` (static files from the build, `index.html` for `/`). Mounted after the
 * API, health, metrics and docs, so it only answers what they do not. Without a build it says how
 * to make one instead of a bare 404.
 */
export function mountWebClient(app: express.Application, dir = webDistDir()): void {
  app.use(express.static(dir, { index: "index.html", fallthrough: true }));
  app.get("/", (_req, res) => {
    if (existsSync(path.join(dir, "index.html"))) return res.sendFile(path.join(dir, "index.html"));
    res.status(503).type("text/plain").send("The browser client is not built: run `npm run build:web` (npm start does it for you).\n");
  });
}
