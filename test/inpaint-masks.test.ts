import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchmarkMask, generateMask } from '../electron/engine/inpaint/masks.js';
import { Rng } from '../electron/engine/util/rng.js';

test('hole fractions stay in the asked range (training 5–50 %, benchmark 10–30 %), on patches and whole images', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const m = generateMask(new Rng(seed), 128, 128, { minFraction: 0.05, maxFraction: 0.5, scale: 300 + 20 * seed });
    const f = m.holes / (128 * 128);
    assert.ok(f >= 0.05 && f <= 0.5, `seed ${seed}: fraction ${f}`);
  }
  for (const [w, h] of [[500, 500], [333, 217], [64, 64], [97, 41]]) {
    for (let i = 0; i < 6; i++) {
      const m = benchmarkMask(i, w, h);
      const f = m.holes / (w * h);
      assert.ok(f >= 0.1 && f <= 0.3, `${w}×${h} #${i}: fraction ${f}`);
    }
  }
});

test('masks are binary, the right shape, count their holes, and are a pure function of the seed', () => {
  const a = generateMask(new Rng(7), 150, 90, { minFraction: 0.1, maxFraction: 0.3 });
  const b = generateMask(new Rng(7), 150, 90, { minFraction: 0.1, maxFraction: 0.3 });
  const c = generateMask(new Rng(8), 150, 90, { minFraction: 0.1, maxFraction: 0.3 });
  assert.equal(a.width, 150);
  assert.equal(a.height, 90);
  assert.equal(a.data.length, 150 * 90);
  assert.ok(a.data.every((v) => v === 0 || v === 1));
  assert.equal(a.holes, a.data.reduce((s, v) => s + v, 0));
  assert.deepEqual(a.data, b.data);
  assert.notDeepEqual(a.data, c.data);
  assert.deepEqual(benchmarkMask(3, 80, 60).data, benchmarkMask(3, 80, 60).data);
});

test('each kind of shape can be drawn alone, and bad ranges are refused', () => {
  for (const mix of [{ stroke: 1, blob: 0, rect: 0 }, { stroke: 0, blob: 1, rect: 0 }, { stroke: 0, blob: 0, rect: 1 }]) {
    const m = generateMask(new Rng(3), 200, 200, { minFraction: 0.1, maxFraction: 0.3, mix });
    assert.ok(m.holes >= 0.1 * 200 * 200 && m.holes <= 0.3 * 200 * 200, JSON.stringify(mix));
  }
  assert.throws(() => generateMask(new Rng(1), 10, 10, { minFraction: 0.6, maxFraction: 0.5 }));
  assert.throws(() => generateMask(new Rng(1), 0, 10, { minFraction: 0.1, maxFraction: 0.5 }));
});

test('fast enough to make training masks on the fly', () => {
  const rng = new Rng(11);
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) generateMask(rng, 128, 128, { minFraction: 0.05, maxFraction: 0.5, scale: 500 });
  const ms = (performance.now() - t0) / 50;
  assert.ok(ms < 20, `${ms.toFixed(1)} ms per 128-px mask`);
});
