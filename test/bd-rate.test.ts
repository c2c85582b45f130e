// The Bjøntegaard delta rate used by scripts/bench-codec.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bdRate } from '../scripts/lib/bd-rate.js';

const anchor = [0.1, 0.25, 0.5, 1, 1.5].map((bpp) => ({ bpp, psnr: 25 + 4 * Math.log2(bpp / 0.1) }));

test('identical curves: 0 %; the same PSNR at 90 % of the bits: −10 %; at 130 %: +30 %', () => {
  assert.ok(Math.abs(bdRate(anchor, anchor)!) < 1e-9);
  assert.ok(Math.abs(bdRate(anchor, anchor.map((p) => ({ ...p, bpp: 0.9 * p.bpp })))! + 10) < 1e-6);
  assert.ok(Math.abs(bdRate(anchor, anchor.map((p) => ({ ...p, bpp: 1.3 * p.bpp })))! - 30) < 1e-6);
});

test('a curve 1 dB better at every rate saves bits; disjoint curves and short curves give undefined', () => {
  const better = anchor.map((p) => ({ ...p, psnr: p.psnr + 1 }));
  const v = bdRate(anchor, better)!;
  // 4 dB per doubling: 1 dB is a factor 2^(1/4) in rate, i.e. −15.9 %.
  assert.ok(Math.abs(v - (2 ** -0.25 - 1) * 100) < 1e-6, String(v));
  assert.equal(bdRate(anchor, anchor.map((p) => ({ ...p, psnr: p.psnr + 100 }))), undefined);
  assert.equal(bdRate(anchor.slice(0, 3), anchor), undefined);
});
