import { test } from 'node:test';
import assert from 'node:assert/strict';
import { teleaInpaint, teleaInpaint8 } from '../electron/engine/inpaint/telea.js';
import { benchmarkMask } from '../electron/engine/inpaint/masks.js';
import type { RasterImage } from '../electron/engine/image/io.js';

function gradient(w: number, h: number, c: 1 | 3): Float32Array {
  const out = new Float32Array(w * h * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = 0.1 + (0.6 * x) / w + (0.2 * y) / h + 0.05 * k;
  return out;
}

function discMask(w: number, h: number, cx: number, cy: number, r: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) m[y * w + x] = 1;
  return m;
}

for (const c of [1, 3] as const) {
  test(`fills a hole in a smooth gradient accurately and leaves known pixels untouched (${c === 1 ? 'grey' : 'RGB'})`, () => {
    const w = 64;
    const h = 48;
    // gentle slope (0.4 levels per pixel): within a few levels (OpenCV adds a unit-normalised gradient
    // term, up to ±1.4 levels, and +0.5 before rounding, so even a plane is not reproduced exactly)
    const img = new Float32Array(w * h * c);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) img[(y * w + x) * c + k] = 0.3 + (0.1 * x) / w + (0.05 * y) / h + 0.1 * k;
    const mask = discMask(w, h, 30, 22, 8);
    const out = teleaInpaint(img, w, h, c, mask);
    let maxErr = 0;
    for (let p = 0; p < w * h; p++) {
      for (let k = 0; k < c; k++) {
        const i = p * c + k;
        if (mask[p]) maxErr = Math.max(maxErr, Math.abs(out[i] - img[i]));
        else assert.equal(out[i], img[i]); // bit for bit
      }
    }
    assert.ok(maxErr <= 6 / 255, `max error in the hole ${(maxErr * 255).toFixed(2)} levels`);
  });
}

// Reference sums from python3-opencv 4.6: cv2.inpaint(img8, mask, 3, cv2.INPAINT_TELEA) on this ramp
// (steep: 2.4 levels per pixel, where OpenCV's unit-normalised gradient term leaves errors up to 14 levels).
test('matches OpenCV 4.6 cv2.inpaint output on a steep ramp, grey and RGB, holes on the borders included', () => {
  const w = 64;
  const h = 48;
  const g = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) g[y * w + x] = Math.floor((0.1 + (0.6 * x) / w + (0.2 * y) / h) * 255 + 0.5);
  const mask = discMask(w, h, 30, 22, 8);
  for (let x = 0; x < 20; x++) mask[x] = 1;
  for (let y = 0; y < h; y++) mask[y * w + w - 1] = 1;
  const sumHoles = (img: Uint8Array, c: number, k: number) => {
    let s = 0;
    for (let p = 0; p < w * h; p++) if (mask[p]) s += img[p * c + k];
    return s;
  };
  const grey = new Uint8Array(g);
  teleaInpaint8(grey, w, h, 1, mask);
  assert.equal(sumHoles(grey, 1, 0), 34361);
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 3;
      rgb[p] = g[y * w + x];
      rgb[p + 1] = g[(h - 1 - y) * w + x];
      rgb[p + 2] = g[y * w + (w - 1 - x)];
    }
  }
  teleaInpaint8(rgb, w, h, 3, mask);
  assert.deepEqual([0, 1, 2].map((k) => sumHoles(rgb, 3, k)), [34361, 36013, 31094]);
});

test('fills every hole pixel of a 10–30 % free-form mask, border holes included', () => {
  const w = 90;
  const h = 70;
  const img = gradient(w, h, 3);
  const mask = benchmarkMask(0, w, h);
  for (let x = 0; x < 20; x++) mask.data[x] = 1; // top-left corner row
  for (let y = 0; y < h; y++) mask.data[y * w + w - 1] = 1; // right column
  const out = teleaInpaint(img, w, h, 3, mask.data);
  let se = 0;
  let n = 0;
  for (let p = 0; p < w * h; p++) if (mask.data[p]) for (let k = 0; k < 3; k++) ((se += (out[p * 3 + k] - img[p * 3 + k]) ** 2), n++);
  const psnr = 10 * Math.log10(1 / (se / n));
  assert.ok(psnr > 24, `PSNR in the holes of a smooth gradient ${psnr.toFixed(1)} dB`);
});

test('8-bit core: empty mask is a no-op; radius is clamped like OpenCV', () => {
  const img = new Uint8Array([10, 20, 30, 40]);
  teleaInpaint8(img, 2, 2, 1, new Uint8Array(4));
  assert.deepEqual([...img], [10, 20, 30, 40]);
  const img2 = new Uint8Array(25).fill(100);
  const m = new Uint8Array(25);
  m[12] = 1;
  img2[12] = 0;
  teleaInpaint8(img2, 5, 5, 1, m, 0); // radius 0 → 1
  assert.ok(Math.abs(img2[12] - 100) <= 1, String(img2[12]));
});

test('Telea on a pool worker (the app keeps it off the host thread) gives the same pixels as in-thread', async () => {
  const { WorkerPool } = await import('../electron/engine/jobs/worker-pool.js');
  const { inpaintImage } = await import('../electron/engine/inpaint/inpaint.js');
  const w = 96;
  const h = 80;
  const img = gradient(w, h, 3);
  for (let i = 0; i < img.length; i += 7) img[i] = (i % 255) / 255; // texture, so the fill is not trivial
  const mask = benchmarkMask(3, w, h).data;
  const pool = new WorkerPool({ threads: 2, backend: 'cpu' });
  try {
    const raster: RasterImage = { width: w, height: h, channels: 3, data: img, bitDepth: 8, format: 'png' };
    const here = await inpaintImage(raster, mask, { kind: 'telea' });
    const there = await inpaintImage(raster, mask, { kind: 'telea' }, {
      telea: (d, ww, hh, c, m, r) => pool.telea(d, ww, hh, c, m, r),
    });
    assert.ok(here.holes > 0);
    assert.deepEqual(Array.from(there.image.data), Array.from(here.image.data));
    // The pool hands over a copy of the mask: the caller's stays usable.
    const direct = await pool.telea(img.slice(), w, h, 3, mask);
    assert.equal(direct.length, w * h * 3);
    assert.equal(mask.length, w * h);
    assert.equal(mask.reduce((a, b) => a + b, 0), here.holes);
  } finally {
    await pool.close();
  }
});
