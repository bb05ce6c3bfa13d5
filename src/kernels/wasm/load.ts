// Finds and compiles the built kernel modules: in Node by reading the file, in browsers by fetching the
// URL (bundlers see the `new URL(…, import.meta.url)` literals). One compile per source. Isomorphic.

/**
 * The builds of src/kernels/wasm/assembly: SIMD on a private memory; SIMD + threads on a shared one; and the
 * same with relaxed SIMD, whose fused multiply-add the training step's products use.
 */
export type WasmVariant = "simd" | "threads" | "relaxed";

/**
 * Where a module comes from: a URL or path of the .wasm file, its bytes, or an already compiled module.
 * Default: the file `npm run build` writes to build/wasm/ at the package root.
 */
export type WasmSource = URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

/** The default file of each variant. The paths are the same from src/kernels/wasm/ and dist/kernels/wasm/. */
export function defaultWasmUrl(variant: WasmVariant): URL {
  switch (variant) {
    case "simd": return new URL("../../../build/wasm/kernels-simd.wasm", import.meta.url);
    case "threads": return new URL("../../../build/wasm/kernels-threads.wasm", import.meta.url);
    case "relaxed": return new URL("../../../build/wasm/kernels-relaxed.wasm", import.meta.url);
  }
}

/** Thrown when the .wasm file is missing: names the file and says how to make it. */
export class WasmNotBuiltError extends Error {
  readonly path: string;

  constructor(path: string, cause?: unknown) {
    super(
      `the WebAssembly kernels are not built: ${path} is missing. ` +
        "Run `npm run build` (it compiles src/kernels/wasm/assembly with AssemblyScript), or choose the reference kernels (--kernels ref)",
      cause === undefined ? undefined : { cause },
    );
    this.name = "WasmNotBuiltError";
    this.path = path;
  }
}

const isNode = typeof process === "object" && typeof process.versions?.node === "string";

/** Reads a file in Node; a computed specifier keeps bundlers from pulling node: modules into a page. */
async function readFileBytes(pathOrUrl: string | URL): Promise<Uint8Array<ArrayBuffer>> {
  const fsModule = "node:fs/promises";
  const urlModule = "node:url";
  const { readFile } = (await import(/* @vite-ignore */ fsModule)) as typeof import("node:fs/promises");
  const { fileURLToPath } = (await import(/* @vite-ignore */ urlModule)) as typeof import("node:url");
  const path = pathOrUrl instanceof URL ? fileURLToPath(pathOrUrl) : pathOrUrl;
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new WasmNotBuiltError(path, error);
    throw error;
  }
}

async function fetchBytes(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(url);
  if (response.status === 404) throw new WasmNotBuiltError(url.href);
  if (!response.ok) throw new Error(`loading the WebAssembly kernels from ${url.href} failed: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The bytes behind a URL or a path: files are read in Node, everything else is fetched. */
function readBytes(source: URL | string): Promise<Uint8Array<ArrayBuffer>> {
  const isUrl = source instanceof URL || /^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source);
  if (!isUrl) {
    if (isNode) return readFileBytes(source);
    return fetchBytes(new URL(source, (globalThis as { location?: { href: string } }).location?.href));
  }
  const url = source instanceof URL ? source : new URL(source);
  return url.protocol === "file:" && isNode ? readFileBytes(url) : fetchBytes(url);
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/**
 * Compiles the kernels module of `variant` from `source` (default: the built file). Files and URLs are
 * compiled once per process and shared. Throws `WasmNotBuiltError` naming the file when it is missing.
 */
export async function loadWasmModule(variant: WasmVariant, source?: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    // Copied: compiling needs a plain ArrayBuffer, and the caller may change or share its buffer.
    const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    return WebAssembly.compile(bytes.slice());
  }
  const where = source ?? defaultWasmUrl(variant);
  const key = where instanceof URL ? where.href : where;
  let module = compiled.get(key);
  if (module === undefined) {
    module = readBytes(where).then((bytes) => WebAssembly.compile(bytes));
    compiled.set(key, module);
    // A failed load is not cached: building the file and trying again must work.
    module.catch(() => compiled.delete(key));
  }
  return module;
}
