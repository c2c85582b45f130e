// Adam on flat Float32Arrays. The coordinator owns the parameters and optimiser moments as plain arrays,
// which makes data-parallel averaging, checkpointing and exact resumption simple and backend-independent.

export interface AdamState {
  m: Float32Array;
  v: Float32Array;
  /** Number of updates applied so far (for bias correction). */
  t: number;
}

export function createAdam(size: number): AdamState {
  return { m: new Float32Array(size), v: new Float32Array(size), t: 0 };
}

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Global gradient-norm clip; 0 disables. */
  clipNorm?: number;
}

/** Applies one update in place; returns the gradient norm before clipping. */
export function adamStep(params: Float32Array, grad: Float32Array, s: AdamState, o: AdamOptions): number {
  const b1 = o.beta1 ?? 0.9;
  const b2 = o.beta2 ?? 0.999;
  const eps = o.eps ?? 1e-8;
  let sq = 0;
  for (let i = 0; i < grad.length; i++) sq += grad[i] * grad[i];
  const norm = Math.sqrt(sq);
  const scale = o.clipNorm && norm > o.clipNorm ? o.clipNorm / norm : 1;
  s.t++;
  const c1 = 1 - b1 ** s.t;
  const c2 = 1 - b2 ** s.t;
  const step = o.lr / c1;
  const { m, v } = s;
  for (let i = 0; i < params.length; i++) {
    const g = grad[i] * scale;
    m[i] = b1 * m[i] + (1 - b1) * g;
    v[i] = b2 * v[i] + (1 - b2) * g * g;
    params[i] -= (step * m[i]) / (Math.sqrt(v[i] / c2) + eps);
  }
  return norm;
}

/** Linear warm-up, then cosine decay to `lr * floor` at `total` steps. */
export function learningRate(step: number, total: number, lr: number, warmup = 200, floor = 0.02): number {
  if (step < warmup) return (lr * (step + 1)) / warmup;
  const p = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * p)));
}
