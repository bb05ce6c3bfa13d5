// The known data sets (Fashion-MNIST, MNIST): file names, sizes and SHA-256 of the decompressed files,
// download mirrors and class names. Pure data and small lookups; isomorphic (no `node:` imports).

/** Names of the data sets this package knows how to verify and download. */
export type DatasetName = "fashion-mnist" | "mnist";

/** Every known data set name, in the order help texts list them. */
export const DATASET_NAMES: readonly DatasetName[] = ["fashion-mnist", "mnist"];

/** The four files of an IDX data set, by role. */
export type FileRole = "trainImages" | "trainLabels" | "testImages" | "testLabels";

/** The roles in a fixed order (train before test, images before labels). */
export const FILE_ROLES: readonly FileRole[] = ["trainImages", "trainLabels", "testImages", "testLabels"];

/** The standard (decompressed) file names; a folder may hold them as is or with a `.gz` suffix. */
export const IDX_FILE_NAMES: Readonly<Record<FileRole, string>> = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

/** One file of a known data set; `bytes` and `sha256` describe the decompressed IDX file. */
export interface DatasetFile {
  role: FileRole;
  /** Decompressed file name; mirrors serve it as `<name>.gz`. */
  name: string;
  /** Size of the decompressed file in bytes. */
  bytes: number;
  /** Lowercase hex SHA-256 of the decompressed file. */
  sha256: string;
}

/** A data set whose files can be verified (and downloaded, when it has mirrors). */
export interface DatasetSpec {
  /** Short name, also the folder name under the cache and `/usr/share/datasets`. */
  name: string;
  /** Display name. */
  title: string;
  numClasses: number;
  /** Text label of each class index. */
  classNames: readonly string[];
  files: Readonly<Record<FileRole, DatasetFile>>;
  /** Base URLs tried in turn; a file is fetched from `<mirror><name>.gz`. */
  mirrors: readonly string[];
}

function file(role: FileRole, bytes: number, sha256: string): DatasetFile {
  return { role, name: IDX_FILE_NAMES[role], bytes, sha256 };
}

/** The Fashion-MNIST class names, by class index (d2l: `get_fashion_mnist_labels`' `text_labels`). */
export const FASHION_MNIST_LABELS: readonly string[] = Object.freeze([
  "t-shirt",
  "trouser",
  "pullover",
  "dress",
  "coat",
  "sandal",
  "shirt",
  "sneaker",
  "bag",
  "ankle boot",
]);

/**
 * Fashion-MNIST (Zalando). The hashes are of the decompressed files, so Debian's re-gzipped copies
 * (`dataset-fashion-mnist`, whose `.gz` bytes differ from the canonical ones) verify as well.
 */
export const FASHION_MNIST: DatasetSpec = Object.freeze({
  name: "fashion-mnist",
  title: "Fashion-MNIST",
  numClasses: 10,
  classNames: FASHION_MNIST_LABELS,
  files: Object.freeze({
    trainImages: file("trainImages", 47040016, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    trainLabels: file("trainLabels", 60008, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    testImages: file("testImages", 7840016, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    testLabels: file("testLabels", 10008, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
  }),
  mirrors: Object.freeze([
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    // The data set's own S3 website endpoint serves plain HTTP only; the SHA-256 check guards the bytes.
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
  ]),
});

/**
 * MNIST (LeCun, Cortes, Burges). Decompressed SHA-256s as pinned by several public MNIST loaders and
 * download scripts; three of them (train labels, test images, test labels) were also recomputed from
 * canonical `.gz` files whose own SHA-256 matched the widely pinned archive hashes
 * (440fcabf…, 3552534a…, 8d422c7b…, f7ae60f9…).
 */
export const MNIST: DatasetSpec = Object.freeze({
  name: "mnist",
  title: "MNIST",
  numClasses: 10,
  classNames: Object.freeze(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]),
  files: Object.freeze({
    trainImages: file("trainImages", 47040016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    trainLabels: file("trainLabels", 60008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    testImages: file("testImages", 7840016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    testLabels: file("testLabels", 10008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
  }),
  mirrors: Object.freeze([
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
  ]),
});

const SPECS: Readonly<Record<DatasetName, DatasetSpec>> = { "fashion-mnist": FASHION_MNIST, mnist: MNIST };

/** Whether `name` is a known data set name. */
export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** The spec of a known data set; throws naming the accepted names otherwise. */
export function getDatasetSpec(name: string): DatasetSpec {
  if (!isDatasetName(name)) {
    throw new RangeError(`unknown data set "${name}"; expected one of: ${DATASET_NAMES.join(", ")}`);
  }
  return SPECS[name];
}

/**
 * Text labels of Fashion-MNIST class indices, e.g. `[0, 9]` → `["t-shirt", "ankle boot"]`.
 * d2l: `get_fashion_mnist_labels`. Throws on an index that is not an integer in 0..9.
 */
export function getFashionMnistLabels(labels: ArrayLike<number>): string[] {
  const out: string[] = new Array<string>(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i] as number;
    const name = Number.isInteger(k) ? FASHION_MNIST_LABELS[k] : undefined;
    if (name === undefined) {
      throw new RangeError(`getFashionMnistLabels: label ${k} at index ${i} is not a class index 0..9`);
    }
    out[i] = name;
  }
  return out;
}
