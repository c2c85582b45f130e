// What the codec worker keeps of the image the user is looking at: Compress estimates one selected image as
// its settings change, then compresses it. The decoded image, its analysis (the costliest network, the same at
// every quality) and the encodes already made are kept for the last image only, and forgotten when its file
// changes on disk, so a slider move codes from the kept analysis and "Compress" with the estimated settings
// writes the estimate's bytes.
import { stat } from 'node:fs/promises';
import { readImage, type RasterImage } from '../image/io.js';
import type { ImageAnalysis, RateRequest } from './image-codec.js';
import type { MeasuredEncode } from './compress-file.js';

/** Encodes kept per image (each holds its file's bytes): the last few settings tried. */
const MAX_ENCODES = 8;

export interface RecentImage {
  path: string;
  img: Promise<RasterImage>;
  analysis?: ImageAnalysis;
  encodes: Map<string, MeasuredEncode>;
}

let recent: (RecentImage & { stamp: string }) | undefined;

/** The kept state of `path`, fresh when it is another image or its file changed. */
export async function recentImage(path: string): Promise<RecentImage> {
  const st = await stat(path);
  const stamp = `${st.size}:${st.mtimeMs}`;
  if (recent?.path !== path || recent.stamp !== stamp) {
    const img = readImage(path);
    img.catch(() => {});
    recent = { path, stamp, img, encodes: new Map() };
  }
  return recent;
}

/** Whether `path` is the kept image, unchanged (no new read is started). */
export async function isRecent(path: string): Promise<boolean> {
  if (!recent || recent.path !== path) return false;
  const st = await stat(path).catch(() => undefined);
  return !!st && `${st.size}:${st.mtimeMs}` === recent.stamp;
}

export function forgetRecent(): void {
  recent = undefined;
}

export function encodeKey(modelHash: string, rate: RateRequest | undefined): string {
  return `${modelHash} ${JSON.stringify(rate ?? null)}`;
}

export function keepEncode(r: RecentImage, key: string, e: MeasuredEncode): void {
  r.analysis = e.analysis;
  r.encodes.delete(key);
  r.encodes.set(key, e);
  while (r.encodes.size > MAX_ENCODES) r.encodes.delete(r.encodes.keys().next().value!);
}
