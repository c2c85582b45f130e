// Data sets of the latent-space explorer: Fashion-MNIST (the seeds' data set) and MNIST, read from the raw
// files in ../shared/data (never copied into the project). Both are 28×28 grey digits / garments; the
// networks see them padded to 32×32 (2 zero pixels each side) in 0..1.
//
// Fixed splits (no randomness, so every run and every install agrees on what "test" means):
// - Fashion-MNIST: the shared file holds 70,000 images *sorted by class* (7,000 per class, class 0 first),
//   with no train/test split marked. Taking "the last 10,000" would give a test set of classes 8 and 9 only,
//   so the split is per class: within each class the first 6,000 images train and the last 1,000 test
//   (60,000 / 10,000, the official sizes, balanced).
// - MNIST: only the official *test* set (t10k, 10,000 digits) has images here; the folder also holds the
//   training-set labels, but no training images. The demo therefore splits t10k: even indices (5,000) train,
//   odd indices (5,000) test. Interleaving mixes t10k's easier first half and harder second half into both.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import { AezError } from '../util/errors.js';

const gunzip = promisify(gunzipCb);

export const DEMO_DATASETS = ['fashion-mnist', 'mnist'] as const;
export type DemoDatasetName = (typeof DEMO_DATASETS)[number];

export const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export function classNames(name: DemoDatasetName): readonly string[] {
  return name === 'fashion-mnist' ? FASHION_CLASSES : MNIST_CLASSES;
}

/** Side of the raw images and of the padded network input. */
export const RAW_SIDE = 28;
export const NET_SIDE = 32;
export const PAD = (NET_SIDE - RAW_SIDE) / 2;
export const RAW_PIXELS = RAW_SIDE * RAW_SIDE;
export const NET_PIXELS = NET_SIDE * NET_SIDE;

/** Images as uint8 28×28, row-major, one after another, with their labels. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface DemoDataset {
  name: DemoDatasetName;
  classNames: readonly string[];
  train: ImageSet;
  test: ImageSet;
  /** One line describing the split, for manifests and model cards. */
  split: string;
  /** The files read, relative to the data folder. */
  files: string[];
}

export const SPLIT_DESCRIPTION: Record<DemoDatasetName, string> = {
  'fashion-mnist':
    'Fashion-MNIST, 70,000 images sorted by class in the shared file; per class the first 6,000 train and the last 1,000 test (60,000 / 10,000).',
  mnist:
    'MNIST official test set (t10k, 10,000 digits; no training images are available here): even indices train, odd indices test (5,000 / 5,000).',
};

/** The shared data folder for a data set (relative to the project root, as the data README asks). */
export function defaultDataDir(name: DemoDatasetName, root = '../shared/data'): string {
  return join(root, name);
}

async function readGz(path: string): Promise<Buffer> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch {
    throw new AezError('INPUT_NOT_FOUND', `data file ${path} not found`);
  }
  return gunzip(raw);
}

/** Whether the data set's files are present (tests skip when not). */
export async function datasetAvailable(name: DemoDatasetName, dir = defaultDataDir(name)): Promise<boolean> {
  const files = name === 'fashion-mnist' ? FASHION_FILES : MNIST_FILES;
  for (const f of files) {
    const ok = await stat(join(dir, f)).then((s) => s.isFile(), () => false);
    if (!ok) return false;
  }
  return true;
}

const FASHION_FILES = ['images-70000x28x28-u8.bin.gz', 'labels-70000-u8.bin.gz'];
const MNIST_FILES = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

/** Parses an idx file (big-endian header: magic 0x0000 08 ndim, then ndim uint32 sizes) of unsigned bytes. */
export function parseIdx(buf: Uint8Array, what: string): { dims: number[]; data: Uint8Array } {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 4 || dv.getUint16(0) !== 0 || buf[2] !== 0x08) throw new AezError('INPUT_CORRUPT', `${what} is not an idx file of unsigned bytes`);
  const ndim = buf[3];
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(dv.getUint32(4 + 4 * i));
  const start = 4 + 4 * ndim;
  const count = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== start + count) throw new AezError('INPUT_CORRUPT', `${what} has ${buf.length - start} data bytes, expected ${count}`);
  return { dims, data: buf.subarray(start) };
}

function pick(src: ImageSet, indices: number[]): ImageSet {
  const images = new Uint8Array(indices.length * RAW_PIXELS);
  const labels = new Uint8Array(indices.length);
  indices.forEach((i, k) => {
    images.set(src.images.subarray(i * RAW_PIXELS, (i + 1) * RAW_PIXELS), k * RAW_PIXELS);
    labels[k] = src.labels[i];
  });
  return { images, labels, count: indices.length };
}

/** Splits the 70,000 Fashion-MNIST images per class: first 6/7 of each class train, the rest test. */
export function splitFashion(all: ImageSet): { train: ImageSet; test: ImageSet } {
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < all.count; i++) byClass[all.labels[i]].push(i);
  const train: number[] = [];
  const test: number[] = [];
  for (const idx of byClass) {
    const cut = idx.length - Math.round(idx.length / 7);
    train.push(...idx.slice(0, cut));
    test.push(...idx.slice(cut));
  }
  return { train: pick(all, train), test: pick(all, test) };
}

/** Splits MNIST t10k: even indices train, odd indices test. */
export function splitMnist(all: ImageSet): { train: ImageSet; test: ImageSet } {
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < all.count; i++) (i % 2 === 0 ? train : test).push(i);
  return { train: pick(all, train), test: pick(all, test) };
}

export async function loadDemoDataset(name: DemoDatasetName, dir = defaultDataDir(name)): Promise<DemoDataset> {
  let all: ImageSet;
  let files: string[];
  if (name === 'fashion-mnist') {
    files = FASHION_FILES;
    const [images, labels] = await Promise.all(files.map((f) => readGz(join(dir, f))));
    if (images.length % RAW_PIXELS !== 0 || images.length / RAW_PIXELS !== labels.length) {
      throw new AezError('INPUT_CORRUPT', `Fashion-MNIST: ${images.length} image bytes do not match ${labels.length} labels of 28×28`);
    }
    all = { images: new Uint8Array(images), labels: new Uint8Array(labels), count: labels.length };
  } else {
    files = MNIST_FILES;
    const [imgBuf, labBuf] = await Promise.all(files.map((f) => readGz(join(dir, f))));
    const img = parseIdx(imgBuf, files[0]);
    const lab = parseIdx(labBuf, files[1]);
    if (img.dims.length !== 3 || img.dims[1] !== RAW_SIDE || img.dims[2] !== RAW_SIDE || lab.dims[0] !== img.dims[0]) {
      throw new AezError('INPUT_CORRUPT', `MNIST: unexpected shapes ${img.dims.join('×')} / ${lab.dims.join('×')}`);
    }
    all = { images: new Uint8Array(img.data), labels: new Uint8Array(lab.data), count: img.dims[0] };
  }
  for (let i = 0; i < all.count; i++) {
    if (all.labels[i] > 9) throw new AezError('INPUT_CORRUPT', `${name}: label ${all.labels[i]} at ${i} is not a class 0–9`);
  }
  const { train, test } = name === 'fashion-mnist' ? splitFashion(all) : splitMnist(all);
  return { name, classNames: classNames(name), train, test, split: SPLIT_DESCRIPTION[name], files };
}

/**
 * Copies images `indices` of `set` (uint8 28×28) into a float batch [n, 32, 32, 1] in 0..1, padded with
 * zeros. `out` is reused when given (it must hold n·1024 values).
 */
export function toNetBatch(images: Uint8Array, indices: ArrayLike<number>, out?: Float32Array): Float32Array {
  const n = indices.length;
  const dst = out ?? new Float32Array(n * NET_PIXELS);
  if (dst.length < n * NET_PIXELS) throw new Error('toNetBatch: output buffer too small');
  dst.fill(0, 0, n * NET_PIXELS);
  for (let k = 0; k < n; k++) {
    const src = indices[k] * RAW_PIXELS;
    const base = k * NET_PIXELS;
    for (let y = 0; y < RAW_SIDE; y++) {
      const row = base + (y + PAD) * NET_SIDE + PAD;
      const s = src + y * RAW_SIDE;
      for (let x = 0; x < RAW_SIDE; x++) dst[row + x] = images[s + x] / 255;
    }
  }
  return dst;
}

/** Pads float 28×28 images (0..1, n·784 values) to the network's 32×32. */
export function padImages(images: Float32Array, n: number): Float32Array {
  if (images.length !== n * RAW_PIXELS) throw new AezError('BAD_ARGUMENT', `expected ${n} images of 28×28 (${n * RAW_PIXELS} values), got ${images.length}`);
  const dst = new Float32Array(n * NET_PIXELS);
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < RAW_SIDE; y++) {
      dst.set(images.subarray(k * RAW_PIXELS + y * RAW_SIDE, k * RAW_PIXELS + (y + 1) * RAW_SIDE), k * NET_PIXELS + (y + PAD) * NET_SIDE + PAD);
    }
  }
  return dst;
}

/** Crops network outputs [n, 32, 32] back to 28×28 (n·784 values). */
export function cropImages(images: Float32Array, n: number): Float32Array {
  const dst = new Float32Array(n * RAW_PIXELS);
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < RAW_SIDE; y++) {
      const s = k * NET_PIXELS + (y + PAD) * NET_SIDE + PAD;
      dst.set(images.subarray(s, s + RAW_SIDE), k * RAW_PIXELS + y * RAW_SIDE);
    }
  }
  return dst;
}

/**
 * A fixed, class-balanced subset of a test set for the explorer (the first `perClass` test images of each
 * class, in test-set order, classes interleaved so any prefix stays balanced).
 */
export function balancedSample(set: ImageSet, count: number): ImageSet & { indices: number[] } {
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < set.count; i++) byClass[set.labels[i]].push(i);
  const indices: number[] = [];
  for (let r = 0; indices.length < count; r++) {
    let any = false;
    for (const idx of byClass) {
      if (r < idx.length && indices.length < count) {
        indices.push(idx[r]);
        any = true;
      }
    }
    if (!any) break;
  }
  return { ...pick(set, indices), indices };
}
