/**
 * `npm run db -- --port 27017 --data ./data/db [--host 127.0.0.1] [--fsync batch]`: runs the embedded store
 * as a standalone process and prints its connection string.
 */
import { startEmbeddedMongo } from "./index";
import type { FsyncPolicy } from "./journal.types";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const port = Number(arg("port") ?? 27017);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${arg("port")}`);
  const fsync = arg("fsync") as FsyncPolicy | undefined;
  if (fsync && !["always", "batch", "never"].includes(fsync)) throw new Error(`invalid --fsync ${fsync}`);
  const store = await startEmbeddedMongo({
    port,
    host: arg("host"),
    allowNonLoopback: process.argv.includes("--allow-non-loopback"),
    dataDir: arg("data"),
    fsync,
    logger: { info: (...a) => console.log(...a), warn: (...a) => console.warn(...a), error: (...a) => console.error(...a) },
  });
  console.log(store.uri);
  const shutdown = (): void => {
    store.stop().then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
