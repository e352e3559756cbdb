import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { MediaStorage } from "./media.storage";

/**
 * Media on the local disk under one root (default DATA_DIR/media): `<root>/<media id>/<file>`.
 * Staging is `<root>/.staging`, on the same file system so a checked upload is stored by a rename.
 * Served by `mediaFilesRouter` (media-files.router.ts).
 */
export class DiskStorage implements MediaStorage {
  readonly name = "disk" as const;
  readonly stagingDir: string;

  constructor(
    private readonly root: string,
    private readonly publicBase: string | undefined,
  ) {
    this.stagingDir = path.join(root, ".staging");
    fs.mkdirSync(this.stagingDir, { recursive: true });
  }

  /** Keys come from media.rules (`md_…/name.ext`); resolving and re-checking keeps any other key inside the root. */
  private pathOf(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(this.root + path.sep)) throw new Error(`media key outside the storage root: ${key}`);
    return full;
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const target = this.pathOf(key);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    try {
      await fs.promises.rename(localPath, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
      await fs.promises.copyFile(localPath, target);
      await fs.promises.rm(localPath, { force: true });
    }
  }

  async putBuffer(key: string, bytes: Buffer): Promise<void> {
    const target = this.pathOf(key);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.writeFile(target, bytes);
  }

  async stat(key: string): Promise<{ bytes: number } | null> {
    const st = await fs.promises.stat(this.pathOf(key)).catch(() => null);
    return st?.isFile() ? { bytes: st.size } : null;
  }

  async readHead(key: string, n: number): Promise<Buffer> {
    const handle = await fs.promises.open(this.pathOf(key), "r");
    try {
      const buf = Buffer.alloc(n);
      const { bytesRead } = await handle.read(buf, 0, n, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async download(key: string, localPath: string): Promise<void> {
    await pipeline(fs.createReadStream(this.pathOf(key)), fs.createWriteStream(localPath));
  }

  async delete(keys: string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const key of keys) {
      const file = this.pathOf(key);
      await fs.promises.rm(file, { force: true });
      dirs.add(path.dirname(file));
    }
    // a media's folder goes with its last file (rmdir refuses a non-empty one)
    for (const dir of dirs) if (dir !== this.root) await fs.promises.rmdir(dir).catch(() => undefined);
  }

  publicUrl(key: string, origin: string): string {
    return `${this.publicBase ?? origin}/media/${key}`;
  }

  async presignPut(): Promise<string | null> {
    return null;
  }

  /** For the file server: the absolute path of a key, or null when it would leave the root. */
  resolveForServing(key: string): string | null {
    try {
      return this.pathOf(key);
    } catch {
      return null;
    }
  }
}
