// Image input and output. Everything the models see goes through here: any supported file becomes
// interleaved sRGB floats in 0..1 (grey stays one channel, alpha is split off and carried), and floats
// become a file again in the format the output name asks for.
//
// Reading: the header is probed first (sharp's metadata() does not decode pixels) so a decompression bomb
// is refused before any pixel memory is allocated; sharp is told the same limit as a second guard, and
// told to fail on truncated or damaged pixel data rather than pad it silently. EXIF orientation is applied,
// colour is converted to sRGB (embedded ICC profiles, CMYK), GIF and multi-page TIFF give their first page.
//
// Conversions are single passes over typed arrays; no per-pixel objects, so a 40-megapixel image costs its
// raw buffer plus its float buffer (one copy of each).
import { open, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { AezError } from '../util/errors.js';
import { assertOutputDir, writeFileAtomic } from '../util/atomic-write.js';

export interface RasterImage {
  width: number;
  height: number;
  /** Colour/grey planes the models see (alpha is split off). */
  channels: 1 | 3;
  /** Interleaved HWC, values 0..1, sRGB, length width*height*channels. */
  data: Float32Array;
  /** HW, 0..1, carried through untouched when present. */
  alpha?: Float32Array;
  /** Of the source, so output can match. */
  bitDepth: 8 | 16;
  /** Source format as sharp names it ('png', 'jpeg', 'webp', 'tiff', 'gif', ...), except that AV1-coded
   *  HEIF is reported as 'avif' (sharp says 'heif' for both AVIF and HEIC). */
  format: string;
}

export interface ReadOptions {
  /** Refuse images with more pixels than this (width*height, checked from the header before decoding). */
  maxPixels?: number;
}

/** sharp's own default limit, 0x3FFF * 0x3FFF. */
export const DEFAULT_MAX_PIXELS = 268_402_689;

export interface ImageProbe {
  /** Displayed size (EXIF orientation applied). */
  width: number;
  height: number;
  /** Colour channels readImage will give: 1 (grey) or 3; alpha is reported separately in hasAlpha. */
  channels: number;
  hasAlpha: boolean;
  format: string;
  bitDepth: 8 | 16;
  /** Frames/pages in the file; only the first is read. */
  pages: number;
}

export type OutputFormat = 'png' | 'jpeg' | 'webp' | 'tiff' | 'avif';

export interface WriteOptions {
  /** 16 is honoured for PNG and TIFF; other formats are always written with 8 bits. Default 8. */
  bitDepth?: 8 | 16;
  /** 1..100 for JPEG, WebP, AVIF (defaults 92, 92, 70); PNG and TIFF are lossless and ignore it. */
  quality?: number;
  /** Replace an existing file (default false: AezError OUTPUT_EXISTS). */
  overwrite?: boolean;
}

/** Extensions (lower case, with the dot) of files a folder scan should pick up: what this sharp decodes.
 *  HEIC is left out: the prebuilt sharp has no HEVC decoder. */
export { INPUT_EXTENSIONS, isInputImagePath } from './input-types.js';

const OUTPUT_EXTENSIONS: Record<string, OutputFormat> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.avif': 'avif',
};

export function outputFormatFromPath(path: string): OutputFormat {
  const ext = extname(path).toLowerCase();
  const fmt = Object.prototype.hasOwnProperty.call(OUTPUT_EXTENSIONS, ext) ? OUTPUT_EXTENSIONS[ext] : undefined;
  if (!fmt) {
    const what = ext ? `the extension ${ext}` : 'a name without an extension';
    throw new AezError('OUTPUT_FORMAT', `Cannot write ${path}: ${what} is not an output format. Use .png, .jpg, .webp, .tif or .avif.`);
  }
  return fmt;
}

// ---------------------------------------------------------------------------------------------------
// Reading

/** Formats decoded by content. Vector formats (SVG, PDF) are refused: this is a raster tool. */
const VECTOR_FORMATS = new Set(['svg', 'pdf']);

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

function checkMaxPixels(opts: ReadOptions | undefined): number {
  const max = opts?.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!(max > 0)) throw new AezError('BAD_ARGUMENT', `maxPixels must be a positive number, got ${String(opts?.maxPixels)}`);
  return max;
}

/** Does the start of the data look like an image format we know? Tells corrupt from not-an-image. */
function looksLikeImage(head: Uint8Array): boolean {
  const b = (i: number) => head[i] ?? -1;
  const ascii = (from: number, s: string) => [...s].every((c, i) => b(from + i) === c.charCodeAt(0));
  return (
    (b(0) === 0x89 && ascii(1, 'PNG')) ||
    (b(0) === 0xff && b(1) === 0xd8) || // JPEG SOI
    ascii(0, 'GIF8') ||
    (ascii(0, 'RIFF') && ascii(8, 'WEBP')) ||
    ascii(0, 'II*\0') ||
    ascii(0, 'MM\0*') ||
    ascii(4, 'ftyp') // HEIF / AVIF
  );
}

type Source = { input: string | Buffer; label: string; head: Uint8Array };

function decodeError(e: unknown, src: Source): AezError {
  if (e instanceof AezError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/unsupported image format/i.test(msg)) {
    return looksLikeImage(src.head)
      ? new AezError('INPUT_CORRUPT', `${src.label} is damaged: its header is not readable.`)
      : new AezError('INPUT_UNSUPPORTED', `${src.label} is not an image in a supported format (PNG, JPEG, WebP, TIFF, AVIF, GIF).`);
  }
  if (/input file is missing/i.test(msg)) return new AezError('INPUT_NOT_FOUND', `${src.label} does not exist.`);
  if (/exceeds pixel limit/i.test(msg)) return new AezError('INPUT_TOO_LARGE', `${src.label} has more pixels than the limit allows.`);
  if (/permission denied/i.test(msg)) return new AezError('INPUT_UNREADABLE', `Cannot read ${src.label}: permission denied.`);
  if (/unsupported (codec|feature|compression)|no decoding plugin/i.test(msg)) {
    return new AezError('INPUT_UNSUPPORTED', `${src.label} uses an encoding this build cannot decode (${msg.trim()}).`);
  }
  return new AezError('INPUT_CORRUPT', `${src.label} is truncated or damaged and cannot be decoded (${msg.trim()}).`);
}

/** Check a path before handing it to sharp, so the common failures get precise messages. */
async function openSource(path: string): Promise<Source> {
  const label = path;
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new AezError('INPUT_NOT_FOUND', `${label} does not exist.`);
    if (code === 'EACCES' || code === 'EPERM') throw new AezError('INPUT_UNREADABLE', `Cannot read ${label}: permission denied.`);
    throw new AezError('INPUT_UNREADABLE', `Cannot read ${label}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (st.isDirectory()) throw new AezError('INPUT_UNREADABLE', `${label} is a folder, not an image file.`);
  if (!st.isFile()) throw new AezError('INPUT_UNREADABLE', `${label} is not a regular file.`);
  if (st.size === 0) throw new AezError('INPUT_EMPTY', `${label} is empty (0 bytes).`);
  const head = new Uint8Array(16);
  try {
    const fh = await open(path, 'r');
    try {
      await fh.read(head, 0, 16, 0);
    } finally {
      await fh.close();
    }
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT') throw new AezError('INPUT_NOT_FOUND', `${label} does not exist.`);
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : e instanceof Error ? e.message : String(e);
    throw new AezError('INPUT_UNREADABLE', `Cannot read ${label}: ${why}.`);
  }
  return { input: resolve(path), label, head };
}

function bufferSource(buf: Buffer, label: string): Source {
  if (buf.length === 0) throw new AezError('INPUT_EMPTY', `${label} is empty (0 bytes).`);
  return { input: buf, label, head: buf.subarray(0, 16) };
}

interface Header {
  meta: Metadata;
  width: number; // displayed
  height: number;
  grey: boolean;
  hasAlpha: boolean;
  bitDepth: 8 | 16;
  format: string;
  pages: number;
}

/** Read and check the header only; no pixels are decoded. */
async function readHeader(src: Source, maxPixels: number): Promise<Header> {
  let meta: Metadata;
  try {
    // No pixel limit here: we want the dimensions to report them ourselves.
    meta = await sharp(src.input, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (e) {
    throw decodeError(e, src);
  }
  if (VECTOR_FORMATS.has(meta.format)) {
    throw new AezError('INPUT_UNSUPPORTED', `${src.label} is a vector image (${meta.format.toUpperCase()}); convert it to PNG first.`);
  }
  const w = meta.width;
  const h = meta.height;
  if (!(w > 0 && h > 0)) throw new AezError('INPUT_CORRUPT', `${src.label} is damaged: its header gives no image size.`);
  if (w * h > maxPixels) {
    throw new AezError(
      'INPUT_TOO_LARGE',
      `${src.label} is ${w}×${h} (${(w * h).toLocaleString('en-US')} pixels), over the limit of ${Math.floor(maxPixels).toLocaleString('en-US')} pixels.`,
    );
  }
  const hasAlpha = meta.hasAlpha === true;
  const colourBands = meta.channels - (hasAlpha ? 1 : 0);
  const grey = meta.space === 'b-w' || meta.space === 'grey16' || colourBands === 1;
  // 'uchar' (and palette / 1..4-bit samples, which decode to uchar) is 8-bit; everything deeper reads as 16.
  const bitDepth: 8 | 16 = meta.depth === 'uchar' || meta.depth === 'char' ? 8 : 16;
  const format = meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : String(meta.format);
  const displayed = meta.autoOrient ?? { width: w, height: h };
  return { meta, width: displayed.width, height: displayed.height, grey, hasAlpha, bitDepth, format, pages: meta.pages ?? 1 };
}

export async function probeImage(path: string, opts?: ReadOptions): Promise<ImageProbe> {
  const maxPixels = checkMaxPixels(opts);
  const hdr = await readHeader(await openSource(path), maxPixels);
  return {
    width: hdr.width,
    height: hdr.height,
    channels: hdr.grey ? 1 : 3,
    hasAlpha: hdr.hasAlpha,
    format: hdr.format,
    bitDepth: hdr.bitDepth,
    pages: hdr.pages,
  };
}

export async function readImage(path: string, opts?: ReadOptions): Promise<RasterImage> {
  const maxPixels = checkMaxPixels(opts);
  return decode(await openSource(path), maxPixels);
}

export async function readImageBuffer(buf: Buffer, label: string, opts?: ReadOptions): Promise<RasterImage> {
  const maxPixels = checkMaxPixels(opts);
  return decode(bufferSource(buf, label), maxPixels);
}

async function decode(src: Source, maxPixels: number): Promise<RasterImage> {
  const hdr = await readHeader(src, maxPixels);
  const { grey, hasAlpha, bitDepth } = hdr;
  let pipeline = sharp(src.input, {
    failOn: 'error', // refuse truncated or damaged pixel data (stricter than 'truncated', laxer than 'warning')
    limitInputPixels: Number.isFinite(maxPixels) ? Math.max(1, Math.floor(maxPixels)) : false,
    autoOrient: true,
    page: 0,
    pages: 1,
  });
  // Output colour space. sharp converts embedded profiles and CMYK to sRGB on the way in (8-bit), so
  // asking for sRGB / b-w here is enough, with two exceptions:
  //  * 16-bit colour with an embedded profile is converted to Display P3 by sharp, not sRGB; an explicit
  //    sRGB output profile finishes the job at 16 bits.
  //  * 8-bit grey with alpha: sharp's raw output of a b-w image keeps only the first band (drops alpha),
  //    so it is decoded as sRGB+alpha (R = G = B) and the first band taken.
  let srcBands: number;
  if (bitDepth === 16) {
    if (grey) {
      pipeline = pipeline.toColourspace('grey16');
      srcBands = hasAlpha ? 2 : 1;
    } else {
      if (hdr.meta.hasProfile) pipeline = pipeline.withIccProfile('srgb');
      pipeline = pipeline.toColourspace('rgb16');
      srcBands = hasAlpha ? 4 : 3;
    }
  } else if (grey && !hasAlpha) {
    pipeline = pipeline.toColourspace('b-w');
    srcBands = 1;
  } else {
    pipeline = pipeline.toColourspace('srgb');
    srcBands = hasAlpha ? 4 : 3;
  }
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await pipeline.raw({ depth: bitDepth === 16 ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw decodeError(e, src);
  }
  const { width, height, channels } = out.info;
  const n = width * height;
  if (channels !== srcBands || out.data.length !== n * channels * (bitDepth === 16 ? 2 : 1)) {
    throw new AezError('INPUT_UNSUPPORTED', `${src.label}: unexpected pixel layout (${channels} channels where ${srcBands} were expected).`);
  }
  let raw: Uint8Array | Uint16Array;
  if (bitDepth === 16) {
    // sharp hands back native-endian 16-bit samples; a view needs 2-byte alignment, else copy once.
    raw =
      out.data.byteOffset % 2 === 0
        ? new Uint16Array(out.data.buffer, out.data.byteOffset, out.data.length / 2)
        : new Uint16Array(Uint8Array.prototype.slice.call(out.data).buffer);
  } else {
    raw = out.data;
  }
  const outChannels: 1 | 3 = grey ? 1 : 3;
  const { data, alpha } = unpack(raw, n, srcBands, outChannels, hasAlpha, bitDepth === 16 ? 65535 : 255);
  const img: RasterImage = { width, height, channels: outChannels, data, bitDepth, format: hdr.format };
  if (alpha) img.alpha = alpha;
  return img;
}

/** Raw interleaved samples → float planes. Colour bands are the first `outCh` bands (for sRGB-decoded
 *  grey+alpha, band 0 of R=G=B); alpha is the last band. */
function unpack(
  raw: Uint8Array | Uint16Array,
  n: number,
  srcCh: number,
  outCh: 1 | 3,
  hasAlpha: boolean,
  max: number,
): { data: Float32Array; alpha?: Float32Array } {
  const data = new Float32Array(n * outCh);
  if (srcCh === outCh) {
    for (let i = 0; i < data.length; i++) data[i] = raw[i] / max;
    return { data };
  }
  const alpha = hasAlpha ? new Float32Array(n) : undefined;
  const a = srcCh - 1;
  if (outCh === 3) {
    for (let p = 0, s = 0, d = 0; p < n; p++, s += srcCh, d += 3) {
      data[d] = raw[s] / max;
      data[d + 1] = raw[s + 1] / max;
      data[d + 2] = raw[s + 2] / max;
      if (alpha) alpha[p] = raw[s + a] / max;
    }
  } else {
    for (let p = 0, s = 0; p < n; p++, s += srcCh) {
      data[p] = raw[s] / max;
      if (alpha) alpha[p] = raw[s + a] / max;
    }
  }
  return alpha ? { data, alpha } : { data };
}

// ---------------------------------------------------------------------------------------------------
// Channel conversions

/** Grey from colour: Rec. 709 luma weights on the sRGB-encoded values (cheap, no linearisation).
 *  Grey input is returned as is. The alpha array is shared, not copied. */
export function toGrey(img: RasterImage): RasterImage {
  if (img.channels === 1) return img;
  const n = img.width * img.height;
  const src = img.data;
  const data = new Float32Array(n);
  for (let p = 0, s = 0; p < n; p++, s += 3) data[p] = 0.2126 * src[s] + 0.7152 * src[s + 1] + 0.0722 * src[s + 2];
  return { ...img, channels: 1, data };
}

/** Colour from grey by repeating the plane. Colour input is returned as is. The alpha array is shared. */
export function toRgb(img: RasterImage): RasterImage {
  if (img.channels === 3) return img;
  const n = img.width * img.height;
  const src = img.data;
  const data = new Float32Array(n * 3);
  for (let p = 0, d = 0; p < n; p++, d += 3) {
    const v = src[p];
    data[d] = v;
    data[d + 1] = v;
    data[d + 2] = v;
  }
  return { ...img, channels: 3, data };
}

// ---------------------------------------------------------------------------------------------------
// Writing

const DEFAULT_QUALITY: Record<'jpeg' | 'webp' | 'avif', number> = { jpeg: 92, webp: 92, avif: 70 };

function checkImage(img: RasterImage): void {
  const { width, height, channels, data, alpha } = img;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new AezError('BAD_ARGUMENT', `Image size ${width}×${height} is not valid.`);
  }
  if (channels !== 1 && channels !== 3) throw new AezError('BAD_ARGUMENT', `Image must have 1 or 3 channels, not ${String(channels)}.`);
  if (data.length !== width * height * channels) {
    throw new AezError('BAD_ARGUMENT', `Image data has ${data.length} values; ${width}×${height}×${channels} needs ${width * height * channels}.`);
  }
  if (alpha && alpha.length !== width * height) {
    throw new AezError('BAD_ARGUMENT', `Alpha plane has ${alpha.length} values; ${width}×${height} needs ${width * height}.`);
  }
}

/**
 * Floats → interleaved integer samples in one pass: Math.round(clamp(v, 0, 1) * max), NaN → 0.
 * With `flatten`, alpha is composited onto white instead of being written.
 */
function pack(img: RasterImage, withAlpha: boolean, flatten: boolean, sixteen: boolean): Uint8Array | Uint16Array {
  const n = img.width * img.height;
  const ch = img.channels;
  const outCh = ch + (withAlpha ? 1 : 0);
  const max = sixteen ? 65535 : 255;
  const out = sixteen ? new Uint16Array(n * outCh) : new Uint8Array(n * outCh);
  const src = img.data;
  const alpha = img.alpha;
  const q = (v: number) => Math.round((v > 0 ? (v < 1 ? v : 1) : 0) * max); // NaN > 0 is false → 0
  if (!alpha || (!withAlpha && !flatten)) {
    if (outCh === ch) {
      for (let i = 0; i < src.length; i++) out[i] = q(src[i]);
      return out;
    }
  }
  for (let p = 0, s = 0, d = 0; p < n; p++, s += ch, d += outCh) {
    const a = alpha ? alpha[p] : 1;
    if (flatten && alpha) {
      const ac = a > 0 ? (a < 1 ? a : 1) : 0;
      for (let c = 0; c < ch; c++) out[d + c] = q(src[s + c] * ac + (1 - ac));
    } else {
      for (let c = 0; c < ch; c++) out[d + c] = q(src[s + c]);
    }
    if (withAlpha) out[d + ch] = q(a);
  }
  return out;
}

/** Encode to a file format in memory. JPEG has no alpha: an image with alpha is flattened onto white
 *  (deliberately accepted rather than refused; write PNG/WebP/TIFF/AVIF to keep transparency). */
export async function encodeImage(img: RasterImage, format: OutputFormat, opts: WriteOptions = {}): Promise<Buffer> {
  checkImage(img);
  const quality = opts.quality;
  if (quality !== undefined && !(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw new AezError('BAD_ARGUMENT', `Quality must be a whole number from 1 to 100, not ${quality}.`);
  }
  if (opts.bitDepth !== undefined && opts.bitDepth !== 8 && opts.bitDepth !== 16) {
    throw new AezError('BAD_ARGUMENT', `Bit depth must be 8 or 16, not ${String(opts.bitDepth)}.`);
  }
  const sixteen = opts.bitDepth === 16 && (format === 'png' || format === 'tiff');
  const withAlpha = img.alpha !== undefined && format !== 'jpeg';
  const flatten = img.alpha !== undefined && format === 'jpeg';
  const samples = pack(img, withAlpha, flatten, sixteen);
  const channels = (img.channels + (withAlpha ? 1 : 0)) as 1 | 2 | 3 | 4;
  let s = sharp(samples, { raw: { width: img.width, height: img.height, channels }, limitInputPixels: false });
  // Tell sharp what the samples are, or it converts grey to sRGB and 16-bit to 8-bit on output.
  s = s.toColourspace(img.channels === 1 ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb');
  switch (format) {
    case 'png':
      s = s.png({ compressionLevel: 6 });
      break;
    case 'tiff':
      s = s.tiff({ compression: 'deflate', predictor: 'horizontal' });
      break;
    case 'jpeg':
      s = s.jpeg({ quality: quality ?? DEFAULT_QUALITY.jpeg, chromaSubsampling: '4:4:4' });
      break;
    case 'webp':
      s = s.webp({ quality: quality ?? DEFAULT_QUALITY.webp });
      break;
    case 'avif':
      s = s.avif({ quality: quality ?? DEFAULT_QUALITY.avif });
      break;
    default:
      throw new AezError('OUTPUT_FORMAT', `Unknown output format ${String(format)}.`);
  }
  try {
    return await s.toBuffer();
  } catch (e) {
    throw new AezError('BACKEND', `Encoding ${format.toUpperCase()} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Write an image; the format follows the extension. Never replaces an existing file unless
 * `opts.overwrite` (AezError OUTPUT_EXISTS). Atomic: the file appears complete or not at all.
 * Callers that also have an input path should check assertNotSameFile(input, path) first.
 */
export async function writeImage(path: string, img: RasterImage, opts: WriteOptions = {}): Promise<void> {
  const format = outputFormatFromPath(path);
  const overwrite = opts.overwrite ?? false;
  // Cheap checks before a possibly long encode.
  await assertOutputDir(path);
  if (!overwrite) {
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new AezError('OUTPUT_EXISTS', `${path} already exists; choose another name, or allow replacing it (--overwrite on the command line).`);
  }
  const buf = await encodeImage(img, format, opts);
  await writeFileAtomic(path, buf, { overwrite });
}
