// The dev/preview server's data route (Node side): finds Fashion-MNIST by the CLI's location rules and
// serves its four files, raw or .gz as found, at /data/fashion-mnist/<file>, with a manifest naming them.

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { basename } from "node:path";
import type { Plugin } from "vite";
import { FASHION_MNIST, FILE_ROLES } from "../src/data/datasets.ts";
import { locateDataset, SOURCE_DESCRIPTIONS } from "../src/data/locate.ts";
import type { LocatedDataset, LocateOptions } from "../src/data/locate.ts";
import { DATA_PATH } from "./data-route.ts";
import type { DataManifest, DataManifestError } from "./data-route.ts";

/** Where the server looks for the data: the CLI's flags and environment (see src/data/locate.ts). */
export type DataServerOptions = Pick<LocateOptions, "data" | "offline" | "env" | "cacheRoot" | "systemDir">;

type Next = (error?: unknown) => void;

function sendJson(res: ServerResponse, status: number, body: DataManifest | DataManifestError): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Cache-Control", "no-store");
  res.end(text);
}

/** The route's handler: one located data set per request (cheap stats), one download at a time. */
export function dataHandler(options: DataServerOptions, log: (line: string) => void = () => undefined) {
  let pending: Promise<LocatedDataset> | undefined;
  let lastDir: string | undefined;
  const locate = (): Promise<LocatedDataset> => {
    pending ??= locateDataset({ ...options, dataset: FASHION_MNIST }).finally(() => {
      pending = undefined;
    });
    return pending;
  };

  return async (req: IncomingMessage, res: ServerResponse, next: Next): Promise<void> => {
    // Mounted at DATA_PATH: req.url is what follows it, e.g. "/manifest.json".
    const name = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/").replace(/^\/+/, "");
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    let located: LocatedDataset;
    try {
      located = await locate();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      sendJson(res, 404, { error: message, missing: true });
      return;
    }
    if (located.dir !== lastDir) {
      lastDir = located.dir;
      log(`data: serving ${located.spec.title} from ${located.dir} (${SOURCE_DESCRIPTIONS[located.source]})`);
    }
    if (name === "manifest.json") {
      const files = {} as DataManifest["files"];
      for (const role of FILE_ROLES) {
        const path = located.files[role];
        const st = await stat(path);
        files[role] = { name: basename(path), bytes: st.size, gzip: path.endsWith(".gz") };
      }
      sendJson(res, 200, { dataset: located.spec.name, title: located.spec.title, dir: located.dir, source: located.source, files });
      return;
    }
    // Only the four located files are served: no other path under the folder is reachable.
    const path = FILE_ROLES.map((role) => located.files[role]).find((p) => basename(p) === name);
    if (path === undefined) {
      sendJson(res, 404, { error: `${DATA_PATH}/${name}: not a file of the located data set (${located.dir}); see ${DATA_PATH}/manifest.json` });
      return;
    }
    const st = await stat(path);
    res.statusCode = 200;
    res.setHeader("Content-Type", "application/octet-stream");
    res.setHeader("Content-Length", String(st.size));
    res.setHeader("Cache-Control", "no-store"); // the page keeps its own verified copy in Cache Storage
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    const stream = createReadStream(path);
    stream.on("error", (error) => res.destroy(error));
    stream.pipe(res);
  };
}

/** The Vite plugin: the data route on the dev server and on `vite preview`. */
export function dataServer(options: DataServerOptions = {}): Plugin {
  return {
    name: "softmax-regression-data",
    configureServer(server) {
      const handler = dataHandler(options, (line) => server.config.logger.info(line));
      server.middlewares.use(DATA_PATH, (req, res, next) => void handler(req, res, next).catch(next));
    },
    configurePreviewServer(server) {
      const handler = dataHandler(options, (line) => server.config.logger.info(line));
      server.middlewares.use(DATA_PATH, (req, res, next) => void handler(req, res, next).catch(next));
    },
  };
}
