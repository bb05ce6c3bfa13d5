// `npm run web`: starts the page's dev server on 127.0.0.1 and prints its URL. Flags: --port N, --host H,
// --data DIR (the folder with the four Fashion-MNIST files, as `softmax train --data`), --offline.

import { parseArgs } from "node:util";
import { createServer } from "vite";
import { FASHION_MNIST } from "../src/data/datasets.ts";
import { locateDataset, SOURCE_DESCRIPTIONS } from "../src/data/locate.ts";
import { webConfig } from "./config.ts";

const HELP = `usage: npm run web -- [--port N] [--host HOST] [--data DIR] [--offline]

Serves the training page (Vite dev server, cross-origin isolated) and the Fashion-MNIST files.
  --port N      port to listen on (default 5173, or the next free one)
  --host HOST   address to bind (default 127.0.0.1)
  --data DIR    folder with the four IDX files, raw or .gz (else SOFTMAX_DATA_DIR, the user cache,
                /usr/share/datasets/fashion-mnist, else a download into the user cache)
  --offline     never download the data set; the page says how to get it
`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string" },
        data: { type: "string" },
        offline: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`npm run web: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    process.stderr.write(`npm run web: --port ${values.port}: expected a port number 0..65535\n`);
    return 2;
  }
  const config = webConfig({ ...(values.data !== undefined && { data: values.data }), offline: values.offline === true });
  const server = await createServer({
    ...config,
    configFile: false,
    server: { ...config.server, ...(port !== undefined && { port, strictPort: true }), ...(values.host !== undefined && { host: values.host }) },
  });
  await server.listen();
  server.printUrls();
  // Where the data is, said once now (the data route locates it again on every page load).
  try {
    const located = await locateDataset({ dataset: FASHION_MNIST, ...(values.data !== undefined && { data: values.data }), offline: true });
    process.stdout.write(`  data: ${located.spec.title} from ${located.dir} (${SOURCE_DESCRIPTIONS[located.source]})\n`);
  } catch (error) {
    const named = values.data !== undefined || Boolean(process.env["SOFTMAX_DATA_DIR"]);
    const message = values.offline || named
      ? `${error instanceof Error ? error.message : String(error)}`
      : "Fashion-MNIST is not on this machine yet: the page's first load downloads it into the user cache " +
        "(or pass --data DIR, or apt-get install dataset-fashion-mnist)";
    process.stdout.write(`  data: ${message}\n`);
  }
  return -1; // keep serving until the process is stopped
}

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`npm run web: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
