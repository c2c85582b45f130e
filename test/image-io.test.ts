import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, link, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import {
  DEFAULT_MAX_PIXELS,
  INPUT_EXTENSIONS,
  encodeImage,
  isInputImagePath,
  outputFormatFromPath,
  probeImage,
  readImage,
  readImageBuffer,
  toGrey,
  toRgb,
  writeImage,
  type RasterImage,
} from '../electron/engine/image/io.js';
import { TEMP_PREFIX, assertNotSameFile, writeFileAtomic } from '../electron/engine/util/atomic-write.js';
import { AezError, type AezErrorCode } from '../electron/engine/util/errors.js';

let dir: string;
const W = 40;
const H = 30;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aez-io-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const p = (name: string) => join(dir, name);

/** Deterministic pseudo-random bytes/words (no Math.random in fixtures). */
function noise8(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}
function noise16(n: number, seed = 7): Uint16Array {
  const b = new Uint16Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    b[i] = s >>> 16;
  }
  return b;
}
/** Smooth RGB gradient: lossy codecs should reproduce it closely. */
function gradient(w: number, h: number): Buffer {
  const b = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      b[i] = Math.round((x / (w - 1)) * 255);
      b[i + 1] = Math.round((y / (h - 1)) * 255);
      b[i + 2] = 128;
    }
  return b;
}

async function expectAez(promise: Promise<unknown>, code: AezErrorCode, mention?: string): Promise<AezError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof AezError, `expected AezError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (mention) assert.ok(caught.message.includes(mention), `message "${caught.message}" should name ${mention}`);
  return caught;
}

/** Decode a file back to raw samples with sharp directly (the reference the tests compare against). */
async function rawOf(file: string, colourspace: string, depth: 'uchar' | 'ushort' = 'uchar') {
  const { data, info } = await sharp(file).toColourspace(colourspace).raw({ depth }).toBuffer({ resolveWithObject: true });
  return { data: depth === 'ushort' ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : new Uint8Array(data), info };
}

function assertFloatsMatch(f: Float32Array, ints: ArrayLike<number>, max: number) {
  assert.equal(f.length, ints.length);
  for (let i = 0; i < f.length; i++) {
    if (Math.round(f[i] * max) !== ints[i]) assert.fail(`sample ${i}: ${f[i] * max} vs ${ints[i]}`);
  }
}

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

describe('reading and writing formats', () => {
  test('8-bit RGB PNG reads exactly and writes back identical pixels', async () => {
    const raw = noise8(W * H * 3);
    await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).png().toFile(p('rgb8.png'));
    const img = await readImage(p('rgb8.png'));
    assert.deepEqual([img.width, img.height, img.channels, img.bitDepth, img.format, img.alpha], [W, H, 3, 8, 'png', undefined]);
    assertFloatsMatch(img.data, raw, 255);
    await writeImage(p('rgb8-out.png'), img);
    const back = await rawOf(p('rgb8-out.png'), 'srgb');
    assert.equal(back.info.channels, 3);
    assert.deepEqual(Buffer.from(back.data), raw);
  });

  test('16-bit RGB PNG reads at full precision and writes back 16-bit exactly', async () => {
    const raw = noise16(W * H * 3);
    await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).toColourspace('rgb16').png().toFile(p('rgb16.png'));
    const img = await readImage(p('rgb16.png'));
    assert.equal(img.bitDepth, 16);
    assert.equal(img.channels, 3);
    assertFloatsMatch(img.data, raw, 65535);
    await writeImage(p('rgb16-out.png'), img, { bitDepth: 16 });
    assert.equal((await sharp(p('rgb16-out.png')).metadata()).depth, 'ushort');
    const back = await rawOf(p('rgb16-out.png'), 'rgb16', 'ushort');
    assert.deepEqual(back.data, raw);
    // Default output is 8-bit.
    await writeImage(p('rgb16-as8.png'), img);
    assert.equal((await sharp(p('rgb16-as8.png')).metadata()).depth, 'uchar');
  });

  test('16-bit grey TIFF and 8-bit RGB TIFF round trip exactly', async () => {
    const g = noise16(W * H, 3);
    await sharp(g, { raw: { width: W, height: H, channels: 1 } }).toColourspace('grey16').tiff({ compression: 'lzw' }).toFile(p('g16.tif'));
    const img = await readImage(p('g16.tif'));
    assert.deepEqual([img.channels, img.bitDepth, img.format], [1, 16, 'tiff']);
    assertFloatsMatch(img.data, g, 65535);
    await writeImage(p('g16-out.tiff'), img, { bitDepth: 16 });
    assert.deepEqual((await rawOf(p('g16-out.tiff'), 'grey16', 'ushort')).data, g);

    const raw = noise8(W * H * 3, 9);
    await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).tiff({ compression: 'deflate' }).toFile(p('rgb8.tif'));
    const img8 = await readImage(p('rgb8.tif'));
    assertFloatsMatch(img8.data, raw, 255);
    await writeImage(p('rgb8-out.tif'), img8);
    assert.deepEqual(Buffer.from((await rawOf(p('rgb8-out.tif'), 'srgb')).data), raw);
  });

  test('JPEG, WebP and AVIF round trip approximately', async () => {
    const raw = gradient(64, 48);
    await sharp(raw, { raw: { width: 64, height: 48, channels: 3 } }).png().toFile(p('grad.png'));
    const src = await readImage(p('grad.png'));
    for (const ext of ['jpg', 'jpeg', 'webp', 'avif']) {
      const out = p(`grad-out.${ext}`);
      await writeImage(out, src);
      const img = await readImage(out);
      assert.equal(img.format, ext === 'jpg' ? 'jpeg' : ext);
      assert.deepEqual([img.width, img.height, img.channels, img.bitDepth], [64, 48, 3, 8]);
      const err = meanAbsDiff(img.data, src.data);
      assert.ok(err < 0.02, `${ext}: mean abs error ${err}`);
    }
  });

  test('8-bit grey PNG stays one channel, exactly', async () => {
    const g = noise8(W * H, 5);
    await sharp(g, { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').png().toFile(p('g8.png'));
    const img = await readImage(p('g8.png'));
    assert.deepEqual([img.channels, img.bitDepth, img.alpha], [1, 8, undefined]);
    assertFloatsMatch(img.data, g, 255);
    await writeImage(p('g8-out.png'), img);
    const meta = await sharp(p('g8-out.png')).metadata();
    assert.equal(meta.channels, 1);
    assert.deepEqual(Buffer.from((await rawOf(p('g8-out.png'), 'b-w')).data), g);
    const probe = await probeImage(p('g8.png'));
    assert.deepEqual(probe, { width: W, height: H, channels: 1, hasAlpha: false, format: 'png', bitDepth: 8, pages: 1 });
  });

  test('grey + alpha (8 and 16 bit) keeps alpha and writes it back exactly', async () => {
    const ga = noise8(W * H * 2, 11);
    await sharp(ga, { raw: { width: W, height: H, channels: 2 } }).toColourspace('b-w').png().toFile(p('ga8.png'));
    const img = await readImage(p('ga8.png'));
    assert.equal(img.channels, 1);
    assert.ok(img.alpha);
    assertFloatsMatch(img.data, Uint8Array.from({ length: W * H }, (_, i) => ga[2 * i]), 255);
    assertFloatsMatch(img.alpha, Uint8Array.from({ length: W * H }, (_, i) => ga[2 * i + 1]), 255);
    await writeImage(p('ga8-out.png'), img);
    const meta = await sharp(p('ga8-out.png')).metadata();
    assert.deepEqual([meta.channels, meta.hasAlpha], [2, true]);
    const back = await readImage(p('ga8-out.png'));
    assert.deepEqual(back.data, img.data);
    assert.deepEqual(back.alpha, img.alpha);

    const ga16 = noise16(W * H * 2, 13);
    await sharp(ga16, { raw: { width: W, height: H, channels: 2 } }).toColourspace('grey16').png().toFile(p('ga16.png'));
    const img16 = await readImage(p('ga16.png'));
    assert.deepEqual([img16.channels, img16.bitDepth], [1, 16]);
    assertFloatsMatch(img16.alpha!, Uint16Array.from({ length: W * H }, (_, i) => ga16[2 * i + 1]), 65535);
    await writeImage(p('ga16-out.png'), img16, { bitDepth: 16 });
    assert.deepEqual((await rawOf(p('ga16-out.png'), 'grey16', 'ushort')).data, ga16);
  });

  test('RGBA alpha is carried through; JPEG flattens it onto white', async () => {
    const rgba = noise8(W * H * 4, 17);
    rgba[3] = 0; // first pixel fully transparent
    await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toFile(p('rgba.png'));
    const img = await readImage(p('rgba.png'));
    assert.equal(img.channels, 3);
    assert.ok(img.alpha);
    assertFloatsMatch(img.alpha, Uint8Array.from({ length: W * H }, (_, i) => rgba[4 * i + 3]), 255);
    await writeImage(p('rgba-out.png'), img);
    assert.deepEqual(Buffer.from((await rawOf(p('rgba-out.png'), 'srgb')).data), rgba);
    await writeImage(p('rgba-out.webp'), { ...img, data: new Float32Array(img.data.length).fill(0.5) }, { quality: 100 });
    assert.equal((await sharp(p('rgba-out.webp')).metadata()).hasAlpha, true);
    await writeImage(p('rgba-out.jpg'), img, { quality: 100 });
    const j = await readImage(p('rgba-out.jpg'));
    assert.equal(j.alpha, undefined);
    for (let c = 0; c < 3; c++) assert.ok(j.data[c] > 0.9, `transparent pixel should be white, got ${j.data[c]}`);
  });

  test('palette PNG reads as RGB', async () => {
    await sharp(gradient(W, H), { raw: { width: W, height: H, channels: 3 } }).png({ palette: true, colours: 16 }).toFile(p('pal.png'));
    assert.equal((await sharp(p('pal.png')).metadata()).isPalette, true);
    const img = await readImage(p('pal.png'));
    assert.deepEqual([img.channels, img.bitDepth], [3, 8]);
  });

  test('GIF: first frame only', async () => {
    const frames = Buffer.alloc(W * H * 2 * 3);
    for (let i = 0; i < W * H; i++) frames[3 * i] = 255; // frame 1 red
    for (let i = W * H; i < 2 * W * H; i++) frames[3 * i + 2] = 255; // frame 2 blue
    await sharp(frames, { raw: { width: W, height: 2 * H, channels: 3, pageHeight: H } }).gif().toFile(p('anim.gif'));
    const probe = await probeImage(p('anim.gif'));
    assert.equal(probe.pages, 2);
    assert.equal(probe.format, 'gif');
    const img = await readImage(p('anim.gif'));
    assert.deepEqual([img.width, img.height, img.channels], [W, H, 3]);
    assert.ok(img.data[0] > 0.9 && img.data[2] < 0.1, `first frame is red: ${img.data.subarray(0, 3).join()}`);
  });

  test('EXIF orientation 6 is applied (width and height swap)', async () => {
    // Stored 40×30, left half black, right half white. Orientation 6 = rotate 90° clockwise to display,
    // so the stored left half ends up on top.
    const raw = Buffer.alloc(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = W / 2; x < W; x++) raw.fill(255, (y * W + x) * 3, (y * W + x) * 3 + 3);
    await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(p('orient6.jpg'));
    assert.equal((await sharp(p('orient6.jpg')).metadata()).orientation, 6);
    const probe = await probeImage(p('orient6.jpg'));
    assert.deepEqual([probe.width, probe.height], [H, W]);
    const img = await readImage(p('orient6.jpg'));
    assert.deepEqual([img.width, img.height], [H, W]);
    const at = (x: number, y: number) => img.data[(y * img.width + x) * 3];
    assert.ok(at(5, 2) < 0.1 && at(5, img.height - 3) > 0.9, 'stored left half is on top after rotation');
  });

  test('CMYK JPEG and ICC-tagged images end up sRGB', async () => {
    const colour = [180, 120, 90]; // inside the CMYK gamut
    const raw = Buffer.alloc(W * H * 3);
    for (let i = 0; i < W * H; i++) raw.set(colour, 3 * i);
    await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).toColourspace('cmyk').jpeg({ quality: 95 }).toFile(p('cmyk.jpg'));
    assert.equal((await sharp(p('cmyk.jpg')).metadata()).space, 'cmyk');
    const near = (img: RasterImage, tol: number, what: string) => {
      const i = (Math.floor(H / 2) * W + Math.floor(W / 2)) * 3;
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(img.data[i + c] * 255 - colour[c]);
        assert.ok(d < tol, `${what}: channel ${c} is ${img.data[i + c] * 255}, expected about ${colour[c]}`);
      }
    };
    const cmyk = await readImage(p('cmyk.jpg'));
    assert.deepEqual([cmyk.channels, cmyk.format], [3, 'jpeg']);
    near(cmyk, 15, 'CMYK');

    // Display-P3-tagged PNGs: the stored numbers differ from sRGB; reading must convert back.
    await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).withIccProfile('p3').png().toFile(p('p3-8.png'));
    near(await readImage(p('p3-8.png')), 3, 'P3 8-bit');
    // 16-bit P3: take the P3 numbers sharp stored in the 8-bit file, widen them to 16 bits and tag them
    // P3 (sharp attaches the profile to 16-bit data without converting). Reading must give the sRGB colour.
    const p3numbers = await sharp(p('p3-8.png'), { ignoreIcc: true }).raw().toBuffer();
    assert.ok(Math.abs(p3numbers[0] - colour[0]) > 3, 'P3 numbers differ from the sRGB ones');
    const wide = Uint16Array.from(p3numbers, (v) => v * 257);
    await sharp(wide, { raw: { width: W, height: H, channels: 3 } }).toColourspace('rgb16').withIccProfile('p3').png().toFile(p('p3-16.png'));
    const m16 = await sharp(p('p3-16.png')).metadata();
    assert.deepEqual([m16.depth, m16.hasProfile], ['ushort', true]);
    const img16 = await readImage(p('p3-16.png'));
    assert.equal(img16.bitDepth, 16);
    near(img16, 3, 'P3 16-bit');
  });

  test('content decides, not the extension', async () => {
    await sharp(gradient(W, H), { raw: { width: W, height: H, channels: 3 } }).jpeg().toFile(p('really-a-jpeg.png'));
    const img = await readImage(p('really-a-jpeg.png'));
    assert.equal(img.format, 'jpeg');
  });

  test('readImageBuffer', async () => {
    const buf = await sharp(noise8(W * H * 3), { raw: { width: W, height: H, channels: 3 } }).webp({ lossless: true }).toBuffer();
    const img = await readImageBuffer(buf, 'upload.webp');
    assert.deepEqual([img.width, img.height, img.format], [W, H, 'webp']);
    await expectAez(readImageBuffer(Buffer.alloc(0), 'upload.webp'), 'INPUT_EMPTY', 'upload.webp');
    await expectAez(readImageBuffer(Buffer.from('not an image at all'), 'notes.png'), 'INPUT_UNSUPPORTED', 'notes.png');
  });
});

describe('refusing bad input', () => {
  test('pixel limit is applied from the header', async () => {
    await sharp(noise8(100 * 100 * 3), { raw: { width: 100, height: 100, channels: 3 } }).png().toFile(p('100.png'));
    const e = await expectAez(readImage(p('100.png'), { maxPixels: 1000 }), 'INPUT_TOO_LARGE', '100.png');
    assert.match(e.message, /100×100/);
    assert.match(e.message, /1,000/);
    await expectAez(probeImage(p('100.png'), { maxPixels: 1000 }), 'INPUT_TOO_LARGE');
    assert.equal((await readImage(p('100.png'), { maxPixels: 10_000 })).width, 100);
    assert.equal(DEFAULT_MAX_PIXELS, 16383 * 16383);
  });

  test('a PNG header claiming 100000×100000 fails fast, without decoding', async () => {
    const crcTable = new Int32Array(256).map((_, n) => {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      return c;
    });
    const crc32 = (b: Buffer) => {
      let c = -1;
      for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
      return (c ^ -1) >>> 0;
    };
    const chunk = (type: string, data: Buffer) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body));
      return Buffer.concat([len, body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(100_000, 0);
    ihdr.writeUInt32BE(100_000, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // RGB
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.alloc(1000))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    await writeFile(p('bomb.png'), png);
    const t0 = performance.now();
    const rssBefore = process.memoryUsage().rss;
    const e = await expectAez(readImage(p('bomb.png')), 'INPUT_TOO_LARGE', 'bomb.png');
    assert.match(e.message, /100000×100000/);
    await expectAez(readImageBuffer(png, 'bomb.png'), 'INPUT_TOO_LARGE');
    await expectAez(probeImage(p('bomb.png')), 'INPUT_TOO_LARGE');
    assert.ok(performance.now() - t0 < 2000, 'fails fast');
    assert.ok(process.memoryUsage().rss - rssBefore < 200e6, 'no big allocation');
  });

  test('missing, empty, directory, text and damaged files get specific errors', async () => {
    await expectAez(readImage(p('nope.png')), 'INPUT_NOT_FOUND', 'nope.png');
    await expectAez(probeImage(p('nope.png')), 'INPUT_NOT_FOUND', 'nope.png');
    await writeFile(p('empty.png'), Buffer.alloc(0));
    await expectAez(readImage(p('empty.png')), 'INPUT_EMPTY', 'empty.png');
    await mkdir(p('folder.png'));
    await expectAez(readImage(p('folder.png')), 'INPUT_UNREADABLE', 'folder.png');
    await writeFile(p('text.png'), 'this is just some text, renamed to look like an image\n');
    await expectAez(readImage(p('text.png')), 'INPUT_UNSUPPORTED', 'text.png');
    await writeFile(p('drawing.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await expectAez(readImage(p('drawing.svg')), 'INPUT_UNSUPPORTED', 'drawing.svg');

    const raw = noise8(64 * 64 * 3, 21);
    const png = await sharp(raw, { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
    const jpg = await sharp(raw, { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer();
    await writeFile(p('trunc.png'), png.subarray(0, Math.floor(png.length * 0.6)));
    await writeFile(p('trunc.jpg'), jpg.subarray(0, Math.floor(jpg.length * 0.6)));
    await expectAez(readImage(p('trunc.png')), 'INPUT_CORRUPT', 'trunc.png');
    await expectAez(readImage(p('trunc.jpg')), 'INPUT_CORRUPT', 'trunc.jpg');
    // A file cut inside its header is damaged, not "not an image".
    await writeFile(p('stub.png'), png.subarray(0, 12));
    await expectAez(readImage(p('stub.png')), 'INPUT_CORRUPT', 'stub.png');
  });

  test('unreadable file (skipped as root)', { skip: process.getuid?.() === 0 || process.platform === 'win32' }, async () => {
    await sharp(noise8(12), { raw: { width: 2, height: 2, channels: 3 } }).png().toFile(p('locked.png'));
    await chmod(p('locked.png'), 0o000);
    await expectAez(readImage(p('locked.png')), 'INPUT_UNREADABLE', 'locked.png');
    await chmod(p('locked.png'), 0o644);
  });
});

describe('output safety', () => {
  const tiny: RasterImage = { width: 2, height: 2, channels: 3, data: new Float32Array(12).fill(0.25), bitDepth: 8, format: 'png' };

  test('output path that is the input is refused, also via symlink and hard link', async () => {
    await mkdir(p('same'));
    const input = p('same/in.png');
    await writeImage(input, tiny);
    await expectAez(assertNotSameFile(input, input), 'OUTPUT_IS_INPUT');
    await expectAez(assertNotSameFile(input, p('same/../same/./in.png')), 'OUTPUT_IS_INPUT');
    await symlink(input, p('same/link.png'));
    await expectAez(assertNotSameFile(input, p('same/link.png')), 'OUTPUT_IS_INPUT');
    await link(input, p('same/hard.png'));
    await expectAez(assertNotSameFile(input, p('same/hard.png')), 'OUTPUT_IS_INPUT');
    await symlink(p('same'), p('same-dir-link'));
    await expectAez(assertNotSameFile(input, p('same-dir-link/in.png')), 'OUTPUT_IS_INPUT');
    await expectAez(assertNotSameFile(p('same-dir-link/in.png'), input), 'OUTPUT_IS_INPUT');
    // Different files, existing or not, are fine.
    await assertNotSameFile(input, p('same/out.png'));
    await writeImage(p('same/other.png'), tiny);
    await assertNotSameFile(input, p('same/other.png'));
  });

  test('missing output folder', async () => {
    await expectAez(writeImage(p('no-such-dir/out.png'), tiny), 'OUTPUT_DIR_MISSING', 'no-such-dir');
    await expectAez(writeFileAtomic(p('no-such-dir/x.bin'), Buffer.from('x')), 'OUTPUT_DIR_MISSING', 'no-such-dir');
  });

  test('unknown output extension', async () => {
    await expectAez(writeImage(p('out.bmp'), tiny), 'OUTPUT_FORMAT', 'out.bmp');
    await expectAez(encodeImage(tiny, 'png', { quality: 0 }), 'BAD_ARGUMENT');
  });

  test('a failed atomic write leaves no temp file', async () => {
    await mkdir(p('atomic'));
    await mkdir(p('atomic/taken')); // a folder where the file should go: the final rename fails
    await expectAez(writeFileAtomic(p('atomic/taken'), Buffer.alloc(1000, 1)), 'OUTPUT_UNWRITABLE', 'taken');
    assert.deepEqual(await readdir(p('atomic')), ['taken']);
    await writeFileAtomic(p('atomic/ok.bin'), Buffer.from('hello'));
    assert.equal(await readFile(p('atomic/ok.bin'), 'utf8'), 'hello');
    await writeFileAtomic(p('atomic/ok.bin'), Buffer.from('replaced')); // default: replace
    assert.equal(await readFile(p('atomic/ok.bin'), 'utf8'), 'replaced');
    await expectAez(writeFileAtomic(p('atomic/ok.bin'), Buffer.from('no'), { overwrite: false }), 'OUTPUT_EXISTS', 'ok.bin');
    assert.equal(await readFile(p('atomic/ok.bin'), 'utf8'), 'replaced');
    await writeFileAtomic(p('atomic/new.bin'), Buffer.from('new'), { overwrite: false });
    assert.equal(await readFile(p('atomic/new.bin'), 'utf8'), 'new');
    const left = (await readdir(p('atomic'))).filter((f) => f.startsWith(TEMP_PREFIX));
    assert.deepEqual(left, []);
  });

  test('writeImage never overwrites unless asked', async () => {
    const out = p('keep.png');
    await writeImage(out, tiny);
    const before = await readFile(out);
    const mtime = (await stat(out)).mtimeMs;
    await expectAez(writeImage(out, { ...tiny, data: new Float32Array(12).fill(0.75) }), 'OUTPUT_EXISTS', basename(out));
    assert.deepEqual(await readFile(out), before);
    assert.equal((await stat(out)).mtimeMs, mtime);
    await writeImage(out, { ...tiny, data: new Float32Array(12).fill(0.75) }, { overwrite: true });
    const img = await readImage(out);
    assert.equal(Math.round(img.data[0] * 255), 191);
    assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith(TEMP_PREFIX)), []);
  });
});

describe('helpers', () => {
  test('outputFormatFromPath and INPUT_EXTENSIONS', () => {
    assert.equal(outputFormatFromPath('a/b.PNG'), 'png');
    assert.equal(outputFormatFromPath('x.jpg'), 'jpeg');
    assert.equal(outputFormatFromPath('x.JPEG'), 'jpeg');
    assert.equal(outputFormatFromPath('x.webp'), 'webp');
    assert.equal(outputFormatFromPath('x.tif'), 'tiff');
    assert.equal(outputFormatFromPath('x.tiff'), 'tiff');
    assert.equal(outputFormatFromPath('x.avif'), 'avif');
    for (const bad of ['x.gif', 'x', 'x.bmp', 'x.png.txt', 'x.constructor']) {
      assert.throws(() => outputFormatFromPath(bad), (e: unknown) => e instanceof AezError && e.code === 'OUTPUT_FORMAT');
    }
    for (const ext of ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif', '.gif']) assert.ok(INPUT_EXTENSIONS.includes(ext), ext);
    assert.ok(isInputImagePath('Photo.JPG'));
    assert.ok(!isInputImagePath('notes.txt'));
  });

  test('toGrey and toRgb', () => {
    const rgb: RasterImage = {
      width: 2,
      height: 1,
      channels: 3,
      data: Float32Array.from([1, 1, 1, 1, 0, 0]),
      alpha: Float32Array.from([1, 0.5]),
      bitDepth: 8,
      format: 'png',
    };
    const g = toGrey(rgb);
    assert.equal(g.channels, 1);
    assert.equal(g.data.length, 2);
    assert.ok(Math.abs(g.data[0] - 1) < 1e-6);
    assert.ok(Math.abs(g.data[1] - 0.2126) < 1e-6);
    assert.equal(g.alpha, rgb.alpha);
    assert.equal(toGrey(g), g);
    const c = toRgb(g);
    assert.equal(c.channels, 3);
    assert.deepEqual(Array.from(c.data.subarray(3, 6)), [g.data[1], g.data[1], g.data[1]]);
    assert.equal(toRgb(rgb), rgb);
  });
});
