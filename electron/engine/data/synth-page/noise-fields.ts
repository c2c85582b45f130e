// Random smooth fields the degradations are built from (value noise, fractal noise, fast normal draws),
// all on the crop, in page-scale units.
import type { Rng } from '../../util/rng.js';

/** Approximately standard normal (sum of four uniform bytes of one draw): cheap enough for per-pixel noise. */
export function fastNormal(rng: Rng): number {
  const u = (rng.next() * 4294967296) >>> 0;
  return ((u & 255) + ((u >>> 8) & 255) + ((u >>> 16) & 255) + (u >>> 24) - 510) / 147.8;
}

export function smoothstep(t: number): number {
  return t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
}

/** Smooth value noise in [-1, 1] with features about `cell` px across. */
export function valueNoise(rng: Rng, w: number, h: number, cell: number): Float32Array {
  const gw = Math.ceil(w / cell) + 2;
  const gh = Math.ceil(h / cell) + 2;
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next() * 2 - 1;
  const ox = rng.next() * cell;
  const oy = rng.next() * cell;
  const xi = new Int32Array(w);
  const xt = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const f = (x + ox) / cell;
    xi[x] = Math.floor(f);
    xt[x] = smoothstep(f - xi[x]);
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const f = (y + oy) / cell;
    const j = Math.floor(f);
    const ty = smoothstep(f - j);
    const r0 = j * gw;
    const r1 = r0 + gw;
    for (let x = 0; x < w; x++) {
      const i = xi[x];
      const tx = xt[x];
      const a = grid[r0 + i] + (grid[r0 + i + 1] - grid[r0 + i]) * tx;
      const b = grid[r1 + i] + (grid[r1 + i + 1] - grid[r1 + i]) * tx;
      out[y * w + x] = a + (b - a) * ty;
    }
  }
  return out;
}

/** Fractal value noise, roughly in [-1, 1]. */
export function fbm(rng: Rng, w: number, h: number, cell: number, octaves: number, gain = 0.5): Float32Array {
  const out = new Float32Array(w * h);
  let amp = 1;
  let norm = 0;
  for (let o = 0; o < octaves && cell >= 1.5; o++) {
    const n = valueNoise(rng, w, h, cell);
    for (let i = 0; i < out.length; i++) out[i] += amp * n[i];
    norm += amp;
    amp *= gain;
    cell /= 2;
  }
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}


/** A point near the crop (inside it, or up to `reach` px outside). */
export function nearPoint(rng: Rng, w: number, h: number, reach: number): [number, number] {
  return [rng.uniform(-reach, w + reach), rng.uniform(-reach, h + reach)];
}
