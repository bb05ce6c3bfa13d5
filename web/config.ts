// The page's Vite configuration as a function of where the data is, so `npm run web`, vite.config.ts and
// the browser tests build the same server: root web/, COOP/COEP headers, the data route, module workers.

import { fileURLToPath } from "node:url";
import type { InlineConfig } from "vite";
import { dataServer } from "./data-server.ts";
import type { DataServerOptions } from "./data-server.ts";

const webRoot = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = fileURLToPath(new URL("..", import.meta.url));

/** Cross-origin isolation: `crossOriginIsolated` is true, so SharedArrayBuffer (threads) is available. */
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
} as const;

export interface WebConfigOptions extends DataServerOptions {
  /** Vite's own cache of pre-bundled dependencies; default node_modules/.vite. */
  viteCacheDir?: string;
}

/** The whole configuration (pass to `createServer`, `preview` or `build` with `configFile: false`). */
export function webConfig(options: WebConfigOptions = {}): InlineConfig {
  const { viteCacheDir, ...data } = options;
  return {
    root: webRoot,
    base: "./",
    ...(viteCacheDir !== undefined && { cacheDir: viteCacheDir }),
    plugins: [dataServer(data)],
    server: {
      host: "127.0.0.1",
      headers: ISOLATION_HEADERS,
      // The page imports the library from src/ and the built kernels from build/wasm/, outside web/.
      fs: { allow: [repoRoot] },
    },
    preview: { host: "127.0.0.1", headers: ISOLATION_HEADERS },
    worker: { format: "es" },
    // Pre-bundled at start-up, so the dev server never reloads the page mid-session to add it.
    optimizeDeps: { include: ["fast-png"] },
    build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  };
}
