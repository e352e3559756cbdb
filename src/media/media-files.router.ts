import { Router, type Request, type Response } from "express";
import send from "send";
import { sendDomainError } from "../http/errors";
import { mediaErrors } from "./media.errors";
import { isServableKey, servedContentType, storageKey } from "./media.rules";
import { mediaStorage } from "./media.storage";
import { DiskStorage } from "./disk.storage";

/**
 * `/media/<media id>/<file>`: disk storage's files, served by `send` (the library behind
 * express.static): `Range` (206, 416), `ETag` / `If-None-Match` (304), `Last-Modified`, and a
 * year's immutable `Cache-Control` (a key's bytes never change). Only keys this feature writes
 * are served — anything else (`..`, encoded slashes, absolute paths, directories, dot files) is a
 * 404 before the disk is touched, so there is no listing and no way out of the root. Media ids
 * are 128-bit random: the URL is the capability, as with a bucket's object URLs.
 */
function notFound(res: Response): void {
  sendDomainError(res, mediaErrors.notFound());
}

function serve(req: Request, res: Response): void {
  const { id, file } = req.params as { id: string; file: string };
  const storage = mediaStorage();
  const full = storage instanceof DiskStorage && isServableKey(id, file) ? storage.resolveForServing(storageKey(id, file)) : null;
  if (!full) return notFound(res);
  send(req, full, { maxAge: "365d", immutable: true, index: false, dotfiles: "deny", etag: true, lastModified: true, acceptRanges: true })
    .on("headers", (out: Response) => {
      out.setHeader("Content-Type", servedContentType(file));
      out.setHeader("X-Content-Type-Options", "nosniff");
    })
    .on("error", (err: { status?: number; headers?: Record<string, string> }) => {
      if (res.headersSent) return void res.destroy();
      if (err.status === 416) {
        for (const [name, value] of Object.entries(err.headers ?? {})) res.setHeader(name, value);
        sendDomainError(res, mediaErrors.rangeNotSatisfiable());
        return;
      }
      notFound(res);
    })
    .pipe(res);
}

export function mediaFilesRouter(): Router {
  const r = Router();
  r.get("/:id/:file", serve); // also answers HEAD
  r.use((_req, res) => notFound(res)); // the folder, the root, deeper paths: no listing
  return r;
}
