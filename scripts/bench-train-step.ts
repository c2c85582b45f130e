// Training-step benchmark: the small residual U-Net of shared/NOTES.md (two 3×3 conv + ReLU per level,
// 2×2 average-pool down, 2×2 stride-2 transposed conv up, concatenated skips, residual output), one
// Adam step on a batch of patches with MSE loss. Prints ms/step and the forward pass's GFLOP/s.
//
//   node dist/scripts/bench-train-step.js [--widths 16,32,64] [--batch 16] [--size 64] [--steps 10]
//        [--warmup 2] [--backend wasm] [--unfused] [--profile] [--workers N]
//
// --workers N measures data-parallel steps the way the trainer runs them: N worker threads, each with its
// own TensorFlow.js and an equal share of the batch, started together for every step; a step's time is
// the wall time until all shares are done (the trainer's gradient averaging adds ~1 ms for 117k weights).
//
// Without --widths it runs 16/32/64 and 32/64/128. --profile adds a per-kernel time breakdown of one
// step (tf.profile). --unfused uses conv2d + add + relu instead of tf.fused.conv2d.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../electron/engine/tfjs/backend.js';

interface Opts {
  widths: number[][];
  batch: number;
  size: number;
  steps: number;
  warmup: number;
  backend: string;
  fused: boolean;
  profile: boolean;
  workers: number;
}

function parseArgs(argv: string[]): Opts {
  const o: Opts = {
    widths: [[16, 32, 64], [32, 64, 128]],
    batch: 16,
    size: 64,
    steps: 10,
    warmup: 2,
    backend: 'wasm',
    fused: true,
    profile: false,
    workers: 1,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--widths') o.widths = [next().split(',').map(Number)];
    else if (a === '--batch') o.batch = Number(next());
    else if (a === '--size') o.size = Number(next());
    else if (a === '--steps') o.steps = Number(next());
    else if (a === '--warmup') o.warmup = Number(next());
    else if (a === '--backend') o.backend = next();
    else if (a === '--unfused') o.fused = false;
    else if (a === '--profile') o.profile = true;
    else if (a === '--workers') o.workers = Number(next());
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

type V = tf.Variable;

class UNet {
  readonly vars: V[] = [];
  private readonly p = new Map<string, V>();
  /** FLOPs of one forward pass per input pixel (multiply-add = 2). */
  flopsPerPixel = 0;

  constructor(readonly widths: number[], readonly fused: boolean, seed = 1) {
    const [c1, c2, c3] = widths;
    let s = seed;
    const rnd = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s / 2 ** 32) * 2 - 1;
    };
    const conv = (name: string, k: number, cin: number, cout: number, area: number, transposed = false) => {
      const n = k * k * cin * cout;
      const std = Math.sqrt(2 / (k * k * cin)) * Math.sqrt(3); // uniform with He variance
      const w = new Float32Array(n);
      for (let i = 0; i < n; i++) w[i] = rnd() * std;
      // conv2dTranspose filters are [k, k, out, in].
      this.add(`${name}.w`, tf.tensor(w, transposed ? [k, k, cout, cin] : [k, k, cin, cout]));
      this.add(`${name}.b`, tf.zeros([cout]));
      // `area`: pixels of the layer's input (transposed) or output (conv) per input pixel of the network.
      this.flopsPerPixel += 2 * n * area;
    };
    conv('e1a', 3, 3, c1, 1);
    conv('e1b', 3, c1, c1, 1);
    conv('e2a', 3, c1, c2, 1 / 4);
    conv('e2b', 3, c2, c2, 1 / 4);
    conv('e3a', 3, c2, c3, 1 / 16);
    conv('e3b', 3, c3, c3, 1 / 16);
    conv('u2', 2, c3, c2, 1 / 16, true);
    conv('d2a', 3, 2 * c2, c2, 1 / 4);
    conv('d2b', 3, c2, c2, 1 / 4);
    conv('u1', 2, c2, c1, 1 / 4, true);
    conv('d1a', 3, 2 * c1, c1, 1);
    conv('d1b', 3, c1, c1, 1);
    conv('out', 3, c1, 3, 1);
  }

  private add(name: string, t: tf.Tensor): void {
    const v = tf.variable(t, true, `${name}_${this.widths.join('x')}_${this.vars.length}`);
    t.dispose();
    this.p.set(name, v);
    this.vars.push(v);
  }

  get paramCount(): number {
    return this.vars.reduce((s, v) => s + v.size, 0);
  }

  private conv(name: string, x: tf.Tensor4D, relu: boolean): tf.Tensor4D {
    const w = this.p.get(`${name}.w`) as unknown as tf.Tensor4D;
    const b = this.p.get(`${name}.b`) as unknown as tf.Tensor1D;
    if (this.fused) return tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: relu ? 'relu' : 'linear' });
    const y = tf.add(tf.conv2d(x, w, 1, 'same'), b) as tf.Tensor4D;
    return relu ? tf.relu(y) : y;
  }

  private up(name: string, x: tf.Tensor4D): tf.Tensor4D {
    const w = this.p.get(`${name}.w`) as unknown as tf.Tensor4D;
    const b = this.p.get(`${name}.b`) as unknown as tf.Tensor1D;
    const [n, h, wd] = x.shape;
    return tf.add(tf.conv2dTranspose(x, w, [n, 2 * h, 2 * wd, w.shape[2]], 2, 'same'), b) as tf.Tensor4D;
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    const pool = (t: tf.Tensor4D) => tf.avgPool(t, 2, 2, 'valid') as tf.Tensor4D;
    const s1 = this.conv('e1b', this.conv('e1a', x, true), true);
    const s2 = this.conv('e2b', this.conv('e2a', pool(s1), true), true);
    const s3 = this.conv('e3b', this.conv('e3a', pool(s2), true), true);
    const d2 = this.conv('d2b', this.conv('d2a', tf.concat([this.up('u2', s3), s2], 3), true), true);
    const d1 = this.conv('d1b', this.conv('d1a', tf.concat([this.up('u1', d2), s1], 3), true), true);
    return tf.add(x, this.conv('out', d1, false)) as tf.Tensor4D;
  }
}

function randomBatch(shape: number[], seed: number): tf.Tensor4D {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    d[i] = s / 2 ** 32;
  }
  return tf.tensor4d(d, shape as [number, number, number, number]);
}

async function benchOne(widths: number[], o: Opts): Promise<void> {
  const net = new UNet(widths, o.fused);
  const shape = [o.batch, o.size, o.size, 3];
  const clean = randomBatch(shape, 7);
  const noisy = tf.tidy(() => tf.add(clean, tf.mul(randomBatch(shape, 11), 0.2)) as tf.Tensor4D);
  const opt = tf.train.adam(1e-3);
  const pixels = o.batch * o.size * o.size;
  const fwdFlops = net.flopsPerPixel * pixels;

  const step = (): number => {
    const cost = opt.minimize(() => tf.losses.meanSquaredError(clean, net.forward(noisy)) as tf.Scalar, true, net.vars);
    const v = cost!.dataSync()[0];
    cost!.dispose();
    return v;
  };
  const fwd = (): void => {
    const y = tf.tidy(() => net.forward(noisy)); // return the tensor from tidy, read it outside
    y.dataSync();
    y.dispose();
  };

  console.log(`\nU-Net ${widths.join('/')}: ${net.paramCount} parameters, ${(net.flopsPerPixel / 1e3).toFixed(1)} kFLOP/pixel ` +
    `(${(net.flopsPerPixel / 1e3).toFixed(1)} GFLOP/MP), batch ${o.batch}×${o.size}×${o.size}×3, ${tf.getBackend()}` +
    `${o.fused ? ', fused conv+bias+relu' : ''}`);

  for (let i = 0; i < 2; i++) fwd();
  const fwdTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    fwd();
    fwdTimes.push(performance.now() - t);
  }
  const fwdMs = fwdTimes.reduce((a, b) => a + b, 0) / fwdTimes.length;
  const fwdMin = Math.min(...fwdTimes);
  console.log(`  forward: ${fwdMs.toFixed(1)} ms mean, ${(fwdFlops / fwdMs / 1e6).toFixed(1)} GFLOP/s ` +
    `(min ${fwdMin.toFixed(1)} ms, ${(fwdFlops / fwdMin / 1e6).toFixed(1)} GFLOP/s; ${(fwdFlops / 1e9).toFixed(2)} GFLOP)`);

  let first = 0;
  for (let i = 0; i < o.warmup; i++) first = step();
  const mem0 = tf.memory().numTensors;
  let last = first;
  const times: number[] = [];
  for (let i = 0; i < o.steps; i++) {
    const t = performance.now();
    last = step();
    times.push(performance.now() - t);
  }
  const ms = times.reduce((a, b) => a + b, 0) / o.steps;
  const sorted = [...times].sort((a, b) => a - b);
  const stepFlops = 3 * fwdFlops; // forward + input grads + filter grads (the first layer's input grad is skipped)
  console.log(`  train step: ${ms.toFixed(1)} ms/step mean (median ${sorted[sorted.length >> 1].toFixed(1)}, min ${sorted[0].toFixed(1)}) (~${(stepFlops / ms / 1e6).toFixed(1)} GFLOP/s at 3× forward FLOPs), ` +
    `loss ${first.toFixed(5)} → ${last.toFixed(5)}, tensors ${mem0} → ${tf.memory().numTensors}`);

  if (o.profile) {
    const prof = await tf.profile(() => {
      step();
    });
    const by = new Map<string, { ms: number; n: number }>();
    let total = 0;
    for (const k of prof.kernels) {
      const t = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      const e = by.get(k.name) ?? { ms: 0, n: 0 };
      e.ms += t;
      e.n++;
      by.set(k.name, e);
      total += t;
    }
    console.log(`  profile of one step (kernel time ${total.toFixed(1)} ms):`);
    for (const [name, e] of [...by.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
      if (e.ms < 0.5) continue;
      console.log(`    ${name.padEnd(28)} ${e.ms.toFixed(1).padStart(7)} ms  ${String(e.n).padStart(4)} calls`);
    }
  }

  opt.dispose();
  tf.dispose([clean, noisy, ...net.vars]);
}

/** Worker side of --workers: build the net with the shared seed, then run one step per 'step' message. */
async function workerMain(): Promise<void> {
  const { widths, o } = workerData as { widths: number[]; o: Opts };
  await initBackend(o.backend);
  const net = new UNet(widths, o.fused);
  const shape = [o.batch, o.size, o.size, 3];
  const clean = randomBatch(shape, 7);
  const noisy = tf.tidy(() => tf.add(clean, tf.mul(randomBatch(shape, 11), 0.2)) as tf.Tensor4D);
  const opt = tf.train.adam(1e-3);
  parentPort!.on('message', () => {
    const cost = opt.minimize(() => tf.losses.meanSquaredError(clean, net.forward(noisy)) as tf.Scalar, true, net.vars);
    const loss = cost!.dataSync()[0];
    cost!.dispose();
    parentPort!.postMessage(loss);
  });
  parentPort!.postMessage('ready');
}

async function benchParallel(widths: number[], o: Opts): Promise<void> {
  const share = { ...o, batch: o.batch / o.workers };
  if (!Number.isInteger(share.batch)) throw new Error('--batch must divide by --workers');
  const workers = Array.from({ length: o.workers }, () => new Worker(new URL(import.meta.url), { workerData: { widths, o: share } }));
  const next = (w: Worker) => new Promise<unknown>((res) => w.once('message', res));
  await Promise.all(workers.map(next));
  const step = async () => {
    const done = Promise.all(workers.map(next));
    for (const w of workers) w.postMessage('step');
    await done;
  };
  for (let i = 0; i < o.warmup; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < o.steps; i++) {
    const t = performance.now();
    await step();
    times.push(performance.now() - t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const ms = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(`\nU-Net ${widths.join('/')}, batch ${o.batch}×${o.size}×${o.size}×3 split over ${o.workers} worker threads: ` +
    `${ms.toFixed(1)} ms/step mean (median ${sorted[sorted.length >> 1].toFixed(1)}, min ${sorted[0].toFixed(1)})`);
  await Promise.all(workers.map((w) => w.terminate()));
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const report = await initBackend(o.backend);
  console.log(`backend ${report.chosen} (tfjs ${report.tfjsVersion})`);
  for (const w of o.widths) await (o.workers > 1 ? benchParallel(w, o) : benchOne(w, o));
}

(isMainThread ? main() : workerMain()).catch((e) => {
  console.error(e);
  process.exit(1);
});
