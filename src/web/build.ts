import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";

/**
 * Bundles the browser client (`src/web/client/main.ts` → `app.js`, with @colyseus/sdk and
 * Chart.js) and copies `src/web/public/` beside it. Runs at `npm run build`, before `npm start`
 * (prestart) and in the browser test; the server serves the result (`serve.ts`).
 */

/** The checkout's root: the nearest folder up from here with a package.json (src/web or dist/src/web alike). */
export function projectRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

/** Where the built client lives (gitignored under dist/). */
export const webDistDir = (root = projectRoot()) => path.join(root, "dist", "web");

export async function buildWebClient(outDir = webDistDir()): Promise<string> {
  const src = path.join(projectRoot(), "src", "web");
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(src, "client", "main.ts")],
    outfile: path.join(outDir, "app.js"),
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    minify: true,
    sourcemap: true,
    legalComments: "none",
    logLevel: "warning",
  });
  cpSync(path.join(src, "public"), outDir, { recursive: true });
  return outDir;
}

if (require.main === module) {
  buildWebClient().then(
    (dir) => console.log(`browser client built into ${path.relative(process.cwd(), dir) || dir}`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
