// The package's Node entry: everything in index.ts plus what needs node: modules (the data loader,
// locating, downloading and caching data sets). A plain list of re-exports (no side effects).

export * from "./index.ts";

export { loadDataFashionMnist, loadDataset, NOT_VERIFIED, type DatasetFileInfo, type DatasetInfo, type LoadDataOptions, type LoadDatasetOptions, type LoadedDataset } from "./data/load.ts";
export { locateDataset, findIdxFiles, DEFAULT_SYSTEM_DIR, SOURCE_DESCRIPTIONS, type DataSource, type LocateOptions, type LocatedDataset } from "./data/locate.ts";
export { downloadFiles, type DownloadOptions, type DownloadProgress } from "./data/download.ts";
export { userCacheRoot } from "./data/files.ts";
export { nodeThreads } from "./kernels/wasm/nodeThreads.ts";
export { writeFileAtomic, readFileBytes, saveModel, loadModel } from "./io/files.ts";
export { svgToPng } from "./io/svgToPng.ts";
