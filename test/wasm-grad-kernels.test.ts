// The wasm training kernels against the reference `cpu` backend (and, for attributes tfjs's own
// gradients never pass, against naive loops): conv2d and depthwise gradients, conv2dTranspose, NCHW,
// dilations, and a leak check over repeated gradient steps.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { wasmTrainingKernelsActive } from '../electron/engine/tfjs/wasm-grad-kernels/register.js';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

let seed = 12345;
function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    a[i] = (seed / 2 ** 32) * 2 - 1;
  }
  return a;
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function assertClose(got: Float32Array | number[], want: Float32Array | number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let maxMag = 0;
  let maxDiff = 0;
  for (let i = 0; i < want.length; i++) {
    maxMag = Math.max(maxMag, Math.abs(want[i]));
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
  }
  assert.ok(Number.isFinite(maxDiff), `${what}: non-finite values`);
  const rel = maxDiff / Math.max(maxMag, 1e-12);
  assert.ok(rel < 1e-4, `${what}: max abs diff ${maxDiff} relative to max magnitude ${maxMag} = ${rel}`);
}

/** Runs `f` on the named backend with fresh tensors made from the arrays; returns the arrays of its outputs. */
async function on(
  backend: 'cpu' | 'wasm',
  inputs: { data: Float32Array; shape: number[] }[],
  f: (...ts: tf.Tensor[]) => tf.Tensor[],
): Promise<Float32Array[]> {
  assert.ok(await tf.setBackend(backend));
  const ts = inputs.map((i) => tf.tensor(i.data, i.shape, 'float32'));
  const outs = f(...ts);
  const data = outs.map((o) => o.dataSync() as Float32Array);
  tf.dispose([...ts, ...outs]);
  return data;
}

async function compare(
  inputs: { data: Float32Array; shape: number[] }[],
  f: (...ts: tf.Tensor[]) => tf.Tensor[],
  what: string,
): Promise<void> {
  const want = await on('cpu', inputs, f);
  const got = await on('wasm', inputs, f);
  for (let i = 0; i < want.length; i++) assertClose(got[i], want[i], `${what} [output ${i}]`);
}

interface ConvCase {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number | [number, number];
  s: number;
  pad: Pad;
}

const CONV_CASES: ConvCase[] = [
  { n: 1, h: 8, w: 8, ci: 3, co: 5, k: 3, s: 1, pad: 'same' },
  { n: 3, h: 9, w: 7, ci: 4, co: 6, k: 3, s: 1, pad: 'valid' },
  { n: 3, h: 8, w: 8, ci: 4, co: 3, k: 1, s: 1, pad: 'same' },
  { n: 3, h: 10, w: 9, ci: 3, co: 4, k: 5, s: 1, pad: 'same' },
  { n: 1, h: 7, w: 9, ci: 5, co: 2, k: 5, s: 1, pad: 'valid' },
  { n: 2, h: 8, w: 8, ci: 3, co: 4, k: [4, 2], s: 1, pad: 'same' },
  { n: 2, h: 9, w: 9, ci: 3, co: 4, k: 3, s: 2, pad: 'same' },
  { n: 3, h: 8, w: 8, ci: 4, co: 5, k: 3, s: 2, pad: 'valid' },
  { n: 3, h: 8, w: 8, ci: 4, co: 5, k: 2, s: 2, pad: 'valid' },
  { n: 1, h: 9, w: 11, ci: 2, co: 3, k: 2, s: 2, pad: 'valid' },
  { n: 2, h: 8, w: 8, ci: 3, co: 4, k: 1, s: 2, pad: 'same' },
  { n: 3, h: 11, w: 10, ci: 3, co: 4, k: 5, s: 2, pad: 'same' },
  { n: 2, h: 8, w: 7, ci: 3, co: 4, k: 3, s: 1, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { n: 2, h: 6, w: 6, ci: 2, co: 3, k: 3, s: 1, pad: [[0, 0], [3, 3], [3, 3], [0, 0]] },
];

function describeCase(c: ConvCase): string {
  return `N${c.n} ${c.h}x${c.w} ${c.ci}->${c.co} k${c.k} s${c.s} ${typeof c.pad === 'string' ? c.pad : JSON.stringify(c.pad)}`;
}

/** Naive conv2d adjoints (NHWC, HWIO) with dilations, the reference for attributes tfjs's gradients never pass. */
function naiveConvGrads(
  x: Float32Array, xs: number[], w: Float32Array, ws: number[], dy: Float32Array, ys: number[],
  s: number, d: number, pt: number, pl: number, depthwise: boolean,
): { dx: Float64Array; dw: Float64Array } {
  const [N, H, W, C] = xs;
  const [kh, kw, , M] = ws;
  const [, Ho, Wo, Co] = ys;
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let n = 0; n < N; n++) for (let oy = 0; oy < Ho; oy++) for (let ox = 0; ox < Wo; ox++) {
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const iy = oy * s + i * d - pt;
      const ix = ox * s + j * d - pl;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      for (let c = 0; c < C; c++) {
        const xi = ((n * H + iy) * W + ix) * C + c;
        const outs = depthwise ? M : Co;
        for (let m = 0; m < outs; m++) {
          const o = depthwise ? c * M + m : m;
          const g = dy[((n * Ho + oy) * Wo + ox) * Co + o];
          const wi = ((i * kw + j) * C + c) * (depthwise ? M : Co) + m;
          dx[xi] += w[wi] * g;
          dw[wi] += x[xi] * g;
        }
      }
    }
  }
  return { dx, dw };
}

before(async () => {
  const report = await initBackend('wasm');
  assert.equal(report.chosen, 'wasm');
  assert.ok(wasmTrainingKernelsActive(), 'training kernels registered on wasm');
});

describe('conv2d gradients on wasm match cpu', () => {
  for (const c of CONV_CASES) {
    test(describeCase(c), async () => {
      const [kh, kw] = typeof c.k === 'number' ? [c.k, c.k] : c.k;
      const xs: Shape4 = [c.n, c.h, c.w, c.ci];
      const ws: Shape4 = [kh, kw, c.ci, c.co];
      const yShape = tf.tidy(() => tf.conv2d(tf.zeros(xs) as tf.Tensor4D, tf.zeros(ws) as tf.Tensor4D, c.s, c.pad).shape);
      const inputs = [
        { data: rand(sizeOf(xs)), shape: xs },
        { data: rand(sizeOf(ws)), shape: ws },
        { data: rand(sizeOf(yShape)), shape: yShape },
      ];
      await compare(inputs, (x, w, r) => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), r)));
        return g([x, w]);
      }, describeCase(c));
    });
  }
});

describe('conv2dTranspose (Conv2DBackpropInput forward) and its gradients match cpu', () => {
  const cases: { n: number; h: number; w: number; ci: number; co: number; k: number; s: number; pad: 'same' | 'valid' }[] = [
    { n: 2, h: 4, w: 5, ci: 6, co: 3, k: 2, s: 2, pad: 'same' },
    { n: 1, h: 4, w: 4, ci: 4, co: 3, k: 3, s: 2, pad: 'same' },
    { n: 3, h: 5, w: 4, ci: 3, co: 2, k: 3, s: 1, pad: 'valid' },
    { n: 2, h: 3, w: 3, ci: 2, co: 3, k: 4, s: 2, pad: 'valid' },
  ];
  for (const c of cases) {
    test(`N${c.n} ${c.h}x${c.w} k${c.k} s${c.s} ${c.pad}`, async () => {
      // conv2dTranspose input [N, h, w, ci]; filter [k, k, out, ci].
      const xs = [c.n, c.h, c.w, c.ci];
      const ws = [c.k, c.k, c.co, c.ci];
      const oh = c.pad === 'same' ? c.h * c.s : (c.h - 1) * c.s + c.k;
      const ow = c.pad === 'same' ? c.w * c.s : (c.w - 1) * c.s + c.k;
      const os: [number, number, number, number] = [c.n, oh, ow, c.co];
      const inputs = [
        { data: rand(sizeOf(xs)), shape: xs },
        { data: rand(sizeOf(ws)), shape: ws },
        { data: rand(sizeOf(os)), shape: os },
      ];
      await compare(inputs, (x, w, r) => {
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, os, c.s, c.pad);
        const y = f(x, w);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, w]);
        return [y, ...g];
      }, 'conv2dTranspose');
    });
  }
});

describe('kernels called directly', () => {
  test('NCHW backprop filter and input match cpu', async () => {
    const xs = [2, 3, 7, 6]; // NCHW
    const ys = [2, 4, 7, 6];
    const fs: [number, number, number, number] = [3, 3, 3, 4];
    const inputs = [
      { data: rand(sizeOf(xs)), shape: xs },
      { data: rand(sizeOf(ys)), shape: ys },
      { data: rand(sizeOf(fs)), shape: fs },
    ];
    await compare(inputs, (x, dy, w) => [
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: fs }) as tf.Tensor,
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: 1, pad: 'same', dataFormat: 'NCHW', inputShape: xs }) as tf.Tensor,
    ], 'NCHW');
  });

  for (const [s, d, depthwise] of [[1, 2, false], [1, 2, true], [2, 1, true]] as const) {
    test(`${depthwise ? 'depthwise' : 'conv2d'} stride ${s} dilation ${d} matches naive loops`, async () => {
      assert.ok(await tf.setBackend('wasm'));
      const M = depthwise ? 2 : 5;
      const xs: Shape4 = [2, 9, 8, 3];
      const ws: Shape4 = [3, 3, 3, M];
      const pad = 'same';
      const x = tf.tensor(rand(sizeOf(xs)), xs) as tf.Tensor4D;
      const w = tf.tensor(rand(sizeOf(ws)), ws) as tf.Tensor4D;
      const y = depthwise ? tf.depthwiseConv2d(x, w, s, pad, 'NHWC', d) : tf.conv2d(x, w, s, pad, 'NHWC', d);
      const dy = tf.tensor(rand(sizeOf(y.shape)), y.shape) as tf.Tensor4D;
      const attrs = { strides: s, pad, dilations: d, dataFormat: 'NHWC' };
      const pre = depthwise ? 'DepthwiseConv2dNative' : 'Conv2D';
      const dw = tf.engine().runKernel(`${pre}BackpropFilter`, { x, dy }, { ...attrs, filterShape: ws }) as tf.Tensor;
      const dx = tf.engine().runKernel(`${pre}BackpropInput`, { dy, filter: w }, { ...attrs, inputShape: xs }) as tf.Tensor;
      // 'same' with dilation d and a 3×3 kernel: effective size 2d+1, so top/left padding d (stride 1),
      // or for stride 2 the usual SAME split.
      const effK = 2 * d + 1;
      const padTotal = Math.max((Math.ceil(xs[1] / s) - 1) * s + effK - xs[1], 0);
      const padTotalW = Math.max((Math.ceil(xs[2] / s) - 1) * s + effK - xs[2], 0);
      const ref = naiveConvGrads(x.dataSync() as Float32Array, xs, w.dataSync() as Float32Array, ws,
        dy.dataSync() as Float32Array, y.shape, s, d, Math.floor(padTotal / 2), Math.floor(padTotalW / 2), depthwise);
      assertClose(dw.dataSync() as Float32Array, Array.from(ref.dw), 'dW');
      assertClose(dx.dataSync() as Float32Array, Array.from(ref.dx), 'dx');
      tf.dispose([x, w, y, dy, dw, dx]);
    });
  }

  test('large batch is processed in chunks with the same result', async () => {
    // 64 images of 40×40×16 with a 5×5 kernel: the column matrix is 400 × 64·44·44 floats ≈ 200 MB,
    // over the 128 MB budget, so the stride-1 path runs in chunks; compare against one image at a time.
    assert.ok(await tf.setBackend('wasm'));
    const xs: Shape4 = [64, 40, 40, 16];
    const fs: [number, number, number, number] = [5, 5, 16, 4];
    const x = tf.tensor(rand(sizeOf(xs)), xs) as tf.Tensor4D;
    const dy = tf.tensor(rand(64 * 40 * 40 * 4), [64, 40, 40, 4]) as tf.Tensor4D;
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: fs };
    const all = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
    const want = new Float64Array(sizeOf(fs));
    for (let n = 0; n < 64; n++) {
      const part = tf.tidy(() => tf.engine().runKernel('Conv2DBackpropFilter', {
        x: tf.slice(x, [n, 0, 0, 0], [1, 40, 40, 16]), dy: tf.slice(dy, [n, 0, 0, 0], [1, 40, 40, 4]),
      }, attrs) as tf.Tensor);
      const pd = part.dataSync();
      for (let i = 0; i < pd.length; i++) want[i] += pd[i];
      part.dispose();
    }
    assertClose(all.dataSync() as Float32Array, Array.from(want), 'chunked dW');
    tf.dispose([x, dy, all]);
  });
});

describe('depthwise gradients on wasm match cpu', () => {
  const cases: { n: number; h: number; w: number; c: number; m: number; k: number; s: number; pad: 'same' | 'valid' }[] = [
    { n: 2, h: 8, w: 8, c: 3, m: 1, k: 3, s: 1, pad: 'same' },
    { n: 1, h: 9, w: 9, c: 4, m: 2, k: 3, s: 2, pad: 'same' },
    { n: 3, h: 7, w: 8, c: 2, m: 3, k: 5, s: 1, pad: 'valid' },
    { n: 3, h: 10, w: 9, c: 5, m: 1, k: 5, s: 2, pad: 'valid' },
    { n: 1, h: 6, w: 6, c: 4, m: 1, k: 1, s: 1, pad: 'same' },
  ];
  for (const c of cases) {
    test(`N${c.n} ${c.h}x${c.w} C${c.c} M${c.m} k${c.k} s${c.s} ${c.pad}`, async () => {
      const xs: Shape4 = [c.n, c.h, c.w, c.c];
      const ws: Shape4 = [c.k, c.k, c.c, c.m];
      const yShape = tf.tidy(() => tf.depthwiseConv2d(tf.zeros(xs) as tf.Tensor4D, tf.zeros(ws) as tf.Tensor4D, c.s, c.pad).shape);
      const inputs = [
        { data: rand(sizeOf(xs)), shape: xs },
        { data: rand(sizeOf(ws)), shape: ws },
        { data: rand(sizeOf(yShape)), shape: yShape },
      ];
      await compare(inputs, (x, w, r) => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), r)));
        return g([x, w]);
      }, 'depthwise');
    });
  }
});

describe('memory-bound training kernels match cpu (fast paths and fallbacks)', () => {
  test('Sum over leading axes, keepDims, and other axes', async () => {
    const xs = [3, 5, 4, 7];
    await compare([{ data: rand(sizeOf(xs)), shape: xs }], (x) => [
      tf.sum(x, [0, 1, 2]),
      tf.sum(x, [2, 0, 1], true),
      tf.sum(x, [-4, -3, -2]),
      tf.sum(x, 1),
      tf.sum(x),
      tf.sum(tf.reshape(x, [60, 7]), 0),
    ], 'Sum');
  });

  test('split and concat along the last axis, and other axes', async () => {
    const xs = [2, 3, 4, 9];
    await compare([{ data: rand(sizeOf(xs)), shape: xs }, { data: rand(2 * 3 * 4 * 5), shape: [2, 3, 4, 5] }], (x, y) => [
      ...tf.split(x, [2, 3, 4], 3),
      ...tf.split(x, 3, -1),
      ...tf.split(x, [1, -1, 2], 3),
      ...tf.split(x, [1, 2], 1),
      tf.concat([x, y, x], 3),
      tf.concat([x, x], -1),
      tf.concat([x, x], 1),
      tf.concat([tf.reshape(x, [24, 9]), tf.reshape(y, [24, 5])], 1),
    ], 'SplitV/Concat');
  });

  for (const [k, s, pad, h, w] of [[2, 2, 'valid', 8, 6], [2, 2, 'valid', 9, 7], [3, 3, 'valid', 9, 10], [3, 2, 'same', 8, 8], [2, 2, 'same', 7, 7]] as const) {
    test(`avgPool gradient k${k} s${s} ${pad} ${h}x${w}`, async () => {
      const xs: Shape4 = [2, h, w, 3];
      const yShape = tf.tidy(() => tf.avgPool(tf.zeros(xs) as tf.Tensor4D, k, s, pad).shape);
      await compare([{ data: rand(sizeOf(xs)), shape: xs }, { data: rand(sizeOf(yShape)), shape: yShape }], (x, r) => [
        tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, k, s, pad), r)))(x),
      ], 'AvgPoolGrad');
    });
  }
});

test('20 training steps leak no tensors and no backend buffers', async () => {
  assert.ok(await tf.setBackend('wasm'));
  const w1 = tf.variable(tf.tensor(rand(3 * 3 * 3 * 8), [3, 3, 3, 8]));
  const w2 = tf.variable(tf.tensor(rand(2 * 2 * 4 * 8), [2, 2, 4, 8])); // conv2dTranspose filter [k, k, out, in]
  const w3 = tf.variable(tf.tensor(rand(3 * 3 * 4 * 2), [3, 3, 4, 2]));
  const x = tf.tensor(rand(2 * 16 * 16 * 3), [2, 16, 16, 3]) as tf.Tensor4D;
  const target = tf.tensor(rand(2 * 16 * 16 * 8), [2, 16, 16, 8]);
  const opt = tf.train.adam(1e-3);
  const step = () => {
    const cost = opt.minimize(() => {
      const a = tf.relu(tf.conv2d(x, w1 as unknown as tf.Tensor4D, 2, 'same')); // [2, 8, 8, 8]
      const b = tf.conv2dTranspose(a, w2 as unknown as tf.Tensor4D, [2, 16, 16, 4], 2, 'same');
      const c = tf.depthwiseConv2d(tf.relu(b), w3 as unknown as tf.Tensor4D, 1, 'same'); // [2, 16, 16, 8]
      return tf.mean(tf.square(tf.sub(c, target))) as tf.Scalar;
    }, true);
    const v = cost!.dataSync()[0];
    cost!.dispose();
    return v;
  };
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const first = step();
  const tensors = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;
  const ids = backend.numDataIds();
  let last = first;
  for (let i = 0; i < 19; i++) last = step();
  assert.equal(tf.memory().numTensors, tensors, 'numTensors stays flat');
  assert.equal(tf.memory().numBytes, bytes, 'numBytes stays flat');
  assert.equal(backend.numDataIds(), ids, 'backend data ids stay flat');
  assert.ok(Number.isFinite(last) && last < first, `loss goes down (${first} → ${last})`);
  opt.dispose();
  tf.dispose([w1, w2, w3, x, target]);
});
