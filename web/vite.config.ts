// For `vite build` / `vite preview --config web/vite.config.ts`: the page's configuration, data located by
// the CLI's rules (SOFTMAX_DATA_DIR, the user cache, /usr/share/datasets, else a download).

import { defineConfig } from "vite";
import { webConfig } from "./config.ts";

export default defineConfig(webConfig());
