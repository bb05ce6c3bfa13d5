// Gzip for the browser (and any runtime with `DecompressionStream`): isomorphic, no `node:` imports.
// The Node loader uses node:zlib instead, which is about twice as fast on the 26 MB training images.

import { isGzip } from "./idx.ts";

/** Decompresses gzip bytes with the web-standard `DecompressionStream`; errors name `source`. */
export async function gunzip(bytes: Uint8Array, { source }: { source: string }): Promise<Uint8Array> {
  try {
    // Blob parts are typed as ArrayBuffer-backed; file and network bytes are.
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${source}: corrupt gzip data (${reason}); replace the file or delete it so it is fetched again`);
  }
}

/** Returns `bytes` decompressed when they start with the gzip magic `1f 8b`, else `bytes` unchanged. */
export async function gunzipIfNeeded(bytes: Uint8Array, options: { source: string }): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes, options) : bytes;
}
