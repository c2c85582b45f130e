// One inpainting job from file to file (the unit the CLI, and later the app and web host, call): read the
// image and its mask (a PNG the size of the image, white = hole, or the image's own transparency), fill,
// write. Known pixels are written back exactly as decoded.
import { readImage, writeImage, type RasterImage } from '../image/io.js';
import { AezError } from '../util/errors.js';
import { countHoles, inpaintImage, type InpaintMethod, type InpaintOptions } from './inpaint.js';

export type MaskSource = { kind: 'file'; path: string } | { kind: 'alpha' };

/** Hole mask from an image file: white (luma > ½) and not transparent = hole. Must match the image size. */
export async function readHoleMask(path: string, width: number, height: number, imageLabel = 'the image'): Promise<Uint8Array> {
  let m: RasterImage;
  try {
    m = await readImage(path);
  } catch (e) {
    if (e instanceof AezError) throw new AezError(e.code, `mask: ${e.message}`);
    throw e;
  }
  if (m.width !== width || m.height !== height) {
    throw new AezError('BAD_ARGUMENT', `mask ${path} is ${m.width}×${m.height} but ${imageLabel} is ${width}×${height}: the mask must be the same size (white = hole)`);
  }
  return maskFromRaster(m);
}

export function maskFromRaster(m: RasterImage): Uint8Array {
  const n = m.width * m.height;
  const out = new Uint8Array(n);
  const c = m.channels;
  for (let p = 0; p < n; p++) {
    const v = c === 1 ? m.data[p] : 0.299 * m.data[3 * p] + 0.587 * m.data[3 * p + 1] + 0.114 * m.data[3 * p + 2];
    out[p] = v > 0.5 && (!m.alpha || m.alpha[p] > 0.5) ? 1 : 0;
  }
  return out;
}

/** Holes where the image is (mostly) transparent: alpha below ½. */
export function maskFromAlpha(img: RasterImage, label: string): Uint8Array {
  if (!img.alpha) throw new AezError('BAD_ARGUMENT', `${label} has no transparency: --mask-from-alpha needs an image with an alpha channel`);
  const out = new Uint8Array(img.width * img.height);
  for (let p = 0; p < out.length; p++) out[p] = img.alpha[p] < 0.5 ? 1 : 0;
  return out;
}

export interface InpaintFileOptions extends Omit<InpaintOptions, 'onProgress'> {
  overwrite?: boolean;
  onProgress?: (fraction: number) => void;
}

export async function inpaintFile(input: string, output: string, maskSource: MaskSource, method: InpaintMethod, opts: InpaintFileOptions = {}) {
  const img = await readImage(input);
  const mask = maskSource.kind === 'alpha' ? maskFromAlpha(img, input) : await readHoleMask(maskSource.path, img.width, img.height, input);
  opts.onProgress?.(0.03);
  const holes = countHoles(mask);
  const t0 = performance.now();
  const result = await inpaintImage(img, mask, method, { ...opts, onProgress: (f) => opts.onProgress?.(0.03 + 0.92 * f) });
  const fillSeconds = (performance.now() - t0) / 1000;
  opts.signal?.throwIfAborted();
  let out = result.image;
  if (maskSource.kind === 'alpha' && out.alpha && holes > 0) {
    // Filled holes become opaque; if nothing stays transparent, the alpha plane is dropped.
    const alpha = new Float32Array(out.alpha);
    let opaque = true;
    for (let p = 0; p < alpha.length; p++) {
      if (mask[p]) alpha[p] = 1;
      if (alpha[p] < 1) opaque = false;
    }
    out = { ...out, alpha };
    if (opaque) delete out.alpha;
  }
  await writeImage(output, out, { bitDepth: img.bitDepth, overwrite: opts.overwrite ?? false });
  opts.onProgress?.(1);
  return {
    width: img.width,
    height: img.height,
    method: result.method,
    holes: result.holes,
    holeFraction: Math.round(result.holeFraction * 10000) / 10000,
    regions: result.regions.length,
    processedPixels: result.processedPixels,
    fillSeconds: Math.round(fillSeconds * 1000) / 1000,
    ...(method.kind === 'model' ? { model: method.model.manifest.id } : {}),
    ...(result.note ? { note: result.note } : {}),
  };
}
