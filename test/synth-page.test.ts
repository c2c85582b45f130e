import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { Rng } from '../electron/engine/util/rng.js';
import { SyntheticPageSource, synthPagePair } from '../electron/engine/data/synth-page/page-source.js';
import { degradeCrop, degradePage } from '../electron/engine/data/synth-page/degrade.js';
import { jpegArtefacts } from '../electron/engine/data/synth-page/jpeg.js';
import { renderCleanPage } from '../electron/engine/data/synth-page/layout.js';
import { loadDocPairs, splitDocPairs } from '../electron/engine/data/doc-pairs.js';

function inUnitRange(a: Float32Array): boolean {
  for (const v of a) if (!(v >= 0 && v <= 1)) return false;
  return true;
}

function sameArray(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Pixels within `r` (Chebyshev) of any pixel where clean < 0.99. */
function nearText(clean: Float32Array, w: number, h: number, r: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (clean[y * w + x] >= 0.99) continue;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) m[yy * w + xx] = 1;
      }
    }
  }
  return m;
}

test('renderCleanPage: deterministic, white paper with dark anti-aliased text', async () => {
  const a = await renderCleanPage(new Rng(42), 260, 200);
  const b = await renderCleanPage(new Rng(42), 260, 200);
  const c = await renderCleanPage(new Rng(43), 260, 200);
  assert.equal(a.length, 260 * 200);
  assert.ok(sameArray(a, b), 'same seed gives the same page');
  assert.ok(!sameArray(a, c), 'another seed gives another page');
  assert.ok(inUnitRange(a));
  let white = 0;
  let dark = 0;
  let grey = 0;
  for (const v of a) {
    if (v === 1) white++;
    else if (v < 0.2) dark++;
    else grey++;
  }
  assert.ok(white / a.length > 0.4, `mostly white paper (${white})`);
  assert.ok(dark / a.length > 0.01, `has dark text (${dark})`);
  assert.ok(grey > 0, 'text edges are anti-aliased');
});

test('synthPagePair and degradePage: deterministic, 8-bit values in 0..1, clean kept as rendered', async () => {
  const p = await synthPagePair(new Rng(7), 200, 160);
  const q = await synthPagePair(new Rng(7), 200, 160);
  assert.equal(p.width, 200);
  assert.equal(p.height, 160);
  assert.ok(sameArray(p.clean, q.clean) && sameArray(p.noisy, q.noisy), 'same seed gives the same pair');
  assert.ok(inUnitRange(p.clean) && inUnitRange(p.noisy));
  for (const v of p.noisy) assert.ok(Math.abs(v * 255 - Math.round(v * 255)) < 1e-3, 'noisy is 8-bit like a scan file');
  const clean = await renderCleanPage(new Rng(7), 200, 160);
  assert.ok(sameArray(clean, p.clean), 'the clean target is the rendered page itself');
  const d1 = await degradePage(new Rng(9), clean, 200, 160);
  const d2 = await degradePage(new Rng(9), clean, 200, 160);
  assert.ok(sameArray(d1, d2));
});

test('degradations are fields over the page: text never moves, background far from text is unchanged by it', async () => {
  const w = 96;
  const h = 96;
  const src = new SyntheticPageSource(5, { pages: 2, pageWidth: 320, pageHeight: 320 });
  await src.init();
  const white = new Float32Array(w * h).fill(1);
  const pick = new Rng(1);
  let textPixels = 0;
  let darker = 0;
  let meanGap = 0;
  let farPixels = 0;
  let farSame = 0;
  for (let s = 0; s < 60; s++) {
    const { clean } = src.sample(pick, w, h);
    const back = src.sample(pick, w, h).clean.map((v) => 1 - v);
    const seed = 1000 + s;
    const withText = degradeCrop(new Rng(seed), clean, w, h, { back, pageScale: 320 });
    const blank = degradeCrop(new Rng(seed), white, w, h, { back, pageScale: 320 });
    // Near text: the same fields, darkened by the ink.
    for (let i = 0; i < w * h; i++) {
      if (clean[i] < 0.3) {
        textPixels++;
        meanGap += blank[i] - withText[i];
        if (withText[i] < blank[i]) darker++;
      }
    }
    // Far from text (beyond blur, smear and the JPEG block of any ink), exactly the blank page's fields.
    const near = nearText(clean, w, h, 10);
    for (let by = 0; by < h; by += 8) {
      for (let bx = 0; bx < w; bx += 8) {
        let touched = false;
        for (let y = by; y < by + 8; y++) for (let x = bx; x < bx + 8; x++) if (near[y * w + x]) touched = true;
        if (touched) continue;
        for (let y = by; y < by + 8; y++) {
          for (let x = bx; x < bx + 8; x++) {
            farPixels++;
            if (Math.abs(withText[y * w + x] - blank[y * w + x]) <= 1.01 / 255) farSame++;
          }
        }
      }
    }
  }
  assert.ok(textPixels > 1000, `enough text pixels (${textPixels})`);
  assert.ok(darker / textPixels > 0.97, `text is darker than its own background (${((100 * darker) / textPixels).toFixed(1)}%)`);
  assert.ok(meanGap / textPixels > 0.2, `by a readable margin (${(meanGap / textPixels).toFixed(3)})`);
  assert.ok(farPixels > 1000, `enough far background (${farPixels})`);
  assert.ok(farSame / farPixels > 0.995, `far background unchanged by the text (${farSame}/${farPixels})`);
});

test('SyntheticPageSource: deterministic crops, aligned pairs, fast synchronous sample()', async () => {
  const a = new SyntheticPageSource(3, { pages: 3, pageWidth: 320, pageHeight: 400 });
  const b = new SyntheticPageSource(3, { pages: 3, pageWidth: 320, pageHeight: 400 });
  let t = performance.now();
  await a.init();
  const initMs = performance.now() - t;
  await b.init();
  const ra = new Rng(11);
  const rb = new Rng(11);
  for (let k = 0; k < 20; k++) {
    const sa = a.sample(ra, 96, 80);
    const sb = b.sample(rb, 96, 80);
    assert.equal(sa.clean.length, 96 * 80);
    assert.equal(sa.noisy.length, 96 * 80);
    assert.ok(sameArray(sa.clean, sb.clean) && sameArray(sa.noisy, sb.noisy), `sample ${k} repeats`);
    assert.ok(inUnitRange(sa.clean) && inUnitRange(sa.noisy));
  }
  const other = a.sample(new Rng(12), 96, 80);
  const again = a.sample(new Rng(11), 96, 80);
  assert.ok(!sameArray(other.noisy, again.noisy), 'another generator gives another sample');

  // Timing sanity (not a benchmark: the machine is shared): warm up, then average.
  const rng = new Rng(99);
  for (let k = 0; k < 30; k++) a.sample(rng, 96, 96);
  const n = 200;
  t = performance.now();
  let textCrops = 0;
  for (let k = 0; k < n; k++) {
    const s = a.sample(rng, 96, 96);
    if (s.clean.some((v) => v < 0.5)) textCrops++;
  }
  const ms = (performance.now() - t) / n;
  console.log(`# SyntheticPageSource: init ${initMs.toFixed(0)} ms for 3 pages of 320×400; sample(96×96) ${ms.toFixed(2)} ms`);
  assert.ok(ms < 50, `sample() takes ${ms.toFixed(2)} ms`);
  assert.ok(textCrops / n > 0.75, `most crops hold text (${textCrops}/${n})`);
  assert.throws(() => a.sample(rng, 400, 400), /larger than/);
  assert.throws(() => new SyntheticPageSource(1, { pages: 2 }).sample(rng, 32, 32), /init/);
});

test('jpegArtefacts matches a real grey JPEG round trip through sharp', async () => {
  const w = 96;
  const h = 96;
  const src = new SyntheticPageSource(8, { pages: 1, pageWidth: 200, pageHeight: 200 });
  await src.init();
  const { noisy } = src.sample(new Rng(4), w, h);
  const u8 = Uint8Array.from(noisy, (v) => Math.round(v * 255));
  for (const q of [25, 50, 75]) {
    const ours = Float32Array.from(u8, (v) => v / 255);
    jpegArtefacts(ours, w, h, q);
    const jpg = await sharp(u8, { raw: { width: w, height: h, channels: 1 } }).jpeg({ quality: q }).toBuffer();
    const { data } = await sharp(jpg).greyscale().raw().toBuffer({ resolveWithObject: true });
    let se = 0;
    let seOrig = 0;
    for (let i = 0; i < w * h; i++) {
      se += (ours[i] * 255 - data[i]) ** 2;
      seOrig += (u8[i] - data[i]) ** 2;
    }
    const psnr = 10 * Math.log10((255 * 255) / (se / (w * h)));
    const psnrOrig = 10 * Math.log10((255 * 255) / (seOrig / (w * h)));
    assert.ok(psnr > 38, `q${q}: ours vs libjpeg ${psnr.toFixed(1)} dB`);
    assert.ok(psnr > psnrOrig + 5, `q${q}: closer to libjpeg than the input is (${psnr.toFixed(1)} vs ${psnrOrig.toFixed(1)} dB)`);
  }
});

const pairsRoot = [fileURLToPath(new URL('../../../shared/data/docs/pairs', import.meta.url)), '../shared/data/docs/pairs'].find((p) =>
  existsSync(`${p}/noisy`),
);

test('doc-pairs: loads the Kaggle pairs and splits them by background', { skip: pairsRoot ? false : 'no ../shared/data/docs/pairs folder here' }, async () => {
  const pairs = await loadDocPairs(pairsRoot!);
  assert.equal(pairs.length, 120);
  for (const p of pairs) {
    assert.equal(p.noisy.length, p.width * p.height);
    assert.equal(p.clean.length, p.width * p.height);
    assert.ok(p.width === 540 && (p.height === 420 || p.height === 258), `${p.name} is ${p.width}×${p.height}`);
  }
  assert.ok(inUnitRange(pairs[0].noisy) && inUnitRange(pairs[0].clean));
  const { train, val } = splitDocPairs(pairs);
  const again = splitDocPairs([...pairs].reverse());
  assert.equal(train.length + val.length, 120);
  const valNames = new Set(val.map((p) => p.name));
  assert.ok(train.every((p) => !valNames.has(p.name)), 'train and val are disjoint');
  assert.deepEqual(new Set(again.val.map((p) => p.name)), valNames, 'the split does not depend on order');
  assert.ok(val.length >= 12 && val.length <= 36, `about a fifth in val (${val.length})`);
  // The Kaggle backgrounds repeat with the file number mod 12 (11 and 0 share a paper): none straddles.
  const group = (name: string): number => {
    const r = parseInt(name, 10) % 12;
    return r === 11 ? 0 : r;
  };
  const valGroups = new Set(val.map((p) => group(p.name)));
  assert.ok(train.every((p) => !valGroups.has(group(p.name))), `background groups ${[...valGroups]} only in val`);

  // Without pixels: a fixed hash split, still disjoint and stable.
  const names = pairs.map((p) => ({ name: p.name }));
  const s1 = splitDocPairs(names);
  const s2 = splitDocPairs([...names].reverse());
  assert.deepEqual(new Set(s1.val.map((p) => p.name)), new Set(s2.val.map((p) => p.name)));
  assert.equal(s1.val.length, 24);
  assert.ok(s1.train.every((p) => !s1.val.includes(p)));
});

test('splitDocPairs: name-only split is disjoint and stable', () => {
  const items = Array.from({ length: 50 }, (_, i) => ({ name: `page-${i}.png` }));
  const a = splitDocPairs(items, 0.2);
  const b = splitDocPairs(items, 0.2);
  assert.equal(a.val.length, 10);
  assert.equal(a.train.length, 40);
  assert.deepEqual(a.val, b.val);
  assert.ok(a.train.every((p) => !a.val.includes(p)));
  assert.deepEqual(splitDocPairs([], 0.2), { train: [], val: [] });
});
