// The real scan-cleaning pairs (Kaggle "Denoising Dirty Documents"): a folder with `noisy/` and `clean/`
// subfolders holding the same file names. Loaded as grey 0..1 Float32Arrays.
//
// The Kaggle pages reuse a few paper backgrounds (stains, creases, folds) under different texts, so a
// random split would put the same background in training and validation and flatter the model. When the
// pairs carry their pixels, splitDocPairs groups pages by background — the noisy page's brightness on a
// coarse grid, measured only where the clean page is white paper — and keeps each group on one side.
// (On the Kaggle set this finds 7 groups: file number mod 12, with residues 0 and 11 sharing one paper.)
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { fnv1a as hash } from '../util/hash.js';

export interface DocPair {
  name: string;
  width: number;
  height: number;
  noisy: Float32Array;
  clean: Float32Array;
}

const IMAGE_EXT = /\.(png|jpe?g|tiff?|webp|bmp)$/i;

/** Natural order: "3.png" before "12.png". */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

async function readGrey(path: string): Promise<{ data: Float32Array; width: number; height: number }> {
  const { data, info } = await sharp(path).greyscale().raw().toBuffer({ resolveWithObject: true });
  const out = new Float32Array(info.width * info.height);
  const ch = info.channels;
  for (let i = 0; i < out.length; i++) out[i] = data[i * ch] / 255;
  return { data: out, width: info.width, height: info.height };
}

/** Loads every `noisy/NAME` that has a `clean/NAME`, sorted by name (natural order). */
export async function loadDocPairs(root: string): Promise<DocPair[]> {
  const noisyNames = (await readdir(join(root, 'noisy'))).filter((n) => IMAGE_EXT.test(n));
  const cleanNames = new Set((await readdir(join(root, 'clean'))).filter((n) => IMAGE_EXT.test(n)));
  const names = noisyNames.filter((n) => cleanNames.has(n)).sort(naturalCompare);
  const pairs: DocPair[] = [];
  for (const name of names) {
    const [noisy, clean] = await Promise.all([readGrey(join(root, 'noisy', name)), readGrey(join(root, 'clean', name))]);
    if (noisy.width !== clean.width || noisy.height !== clean.height) {
      throw new Error(`${name}: noisy is ${noisy.width}×${noisy.height} but clean is ${clean.width}×${clean.height}`);
    }
    pairs.push({ name, width: noisy.width, height: noisy.height, noisy: noisy.data, clean: clean.data });
  }
  return pairs;
}


interface WithPixels {
  name: string;
  width: number;
  height: number;
  noisy: Float32Array;
  clean: Float32Array;
}

function hasPixels(p: unknown): p is WithPixels {
  const q = p as Partial<WithPixels>;
  return (
    typeof q.width === 'number' &&
    typeof q.height === 'number' &&
    q.noisy instanceof Float32Array &&
    q.clean instanceof Float32Array &&
    q.noisy.length === q.width * q.height &&
    q.clean.length === q.width * q.height
  );
}

const CELL = 30;
/** Two pages are on the same paper when their background signatures differ by less than this (0..1 grey, RMS). */
const SAME_BACKGROUND = 4.5 / 255;

/** Mean noisy value over white-paper pixels in each CELL×CELL cell of the region shared by all pages. */
function backgroundSignature(p: WithPixels, w: number, h: number): Float32Array {
  const gx = Math.floor(w / CELL);
  const gy = Math.floor(h / CELL);
  const sig = new Float32Array(gx * gy).fill(NaN);
  for (let j = 0; j < gy; j++) {
    for (let i = 0; i < gx; i++) {
      let s = 0;
      let k = 0;
      for (let y = j * CELL; y < (j + 1) * CELL; y++) {
        for (let x = i * CELL; x < (i + 1) * CELL; x++) {
          const q = y * p.width + x;
          if (p.clean[q] >= 0.98) {
            s += p.noisy[q];
            k++;
          }
        }
      }
      if (k >= CELL) sig[j * gx + i] = s / k;
    }
  }
  return sig;
}

function signatureDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) continue;
    s += (a[i] - b[i]) ** 2;
    k++;
  }
  return k < 4 ? Infinity : Math.sqrt(s / k);
}

/** Groups of indices that share a page background (single linkage), or null when it cannot tell. */
function backgroundGroups(pairs: readonly WithPixels[]): number[][] | null {
  const w = Math.min(...pairs.map((p) => p.width));
  const h = Math.min(...pairs.map((p) => p.height));
  if (w < 2 * CELL || h < 2 * CELL) return null;
  const sigs = pairs.map((p) => backgroundSignature(p, w, h));
  const parent = pairs.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let i = 0; i < pairs.length; i++) {
    for (let j = i + 1; j < pairs.length; j++) {
      if (find(i) !== find(j) && signatureDistance(sigs[i], sigs[j]) < SAME_BACKGROUND) parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, number[]>();
  pairs.forEach((_, i) => {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  });
  // One group holding everything cannot be split; fall back to single pages.
  if (groups.size < 2) return null;
  return [...groups.values()];
}

/**
 * Deterministic train/validation split. Pages that share a background stay on one side when the pairs
 * carry their pixels (as loadDocPairs returns them); otherwise each page is its own group. Groups are
 * ordered by a hash of their first name; the validation side is the subset of groups whose size comes
 * closest to `valFraction` of the pages (exhaustive for up to 16 groups, greedy beyond). Both sides keep
 * the input's relative order.
 */
export function splitDocPairs<T extends { name: string }>(pairs: T[], valFraction = 0.2): { train: T[]; val: T[] } {
  if (pairs.length === 0) return { train: [], val: [] };
  const withPixels = pairs.every(hasPixels) ? (pairs as unknown as WithPixels[]) : null;
  const byBackground = withPixels && pairs.length > 1 ? backgroundGroups(withPixels) : null;
  const groups = (byBackground ?? pairs.map((_, i) => [i]))
    .map((g) => {
      const names = g.map((i) => pairs[i].name).sort(naturalCompare);
      return { members: g, key: hash(names[0]), first: names[0] };
    })
    .sort((a, b) => a.key - b.key || naturalCompare(a.first, b.first));
  const target = Math.max(1, Math.round(valFraction * pairs.length));
  const inVal = new Set<number>();
  if (valFraction > 0) {
    let chosen: number[] = [];
    if (groups.length <= 16) {
      let best = Infinity;
      for (let mask = 1; mask < 1 << groups.length; mask++) {
        let size = 0;
        for (let g = 0; g < groups.length; g++) if (mask & (1 << g)) size += groups[g].members.length;
        if (size >= pairs.length) continue; // keep something to train on
        const err = Math.abs(size - target);
        if (err < best) {
          best = err;
          chosen = [];
          for (let g = 0; g < groups.length; g++) if (mask & (1 << g)) chosen.push(g);
        }
      }
    } else {
      let size = 0;
      for (let g = 0; g < groups.length && size < target; g++) {
        if (size + groups[g].members.length <= target || size === 0) {
          chosen.push(g);
          size += groups[g].members.length;
        }
      }
    }
    for (const g of chosen) for (const i of groups[g].members) inVal.add(i);
  }
  const train: T[] = [];
  const val: T[] = [];
  pairs.forEach((p, i) => (inVal.has(i) ? val : train).push(p));
  return { train, val };
}
