// Marks on the sheet itself: coffee rings and water blotches, folds and creases, and paper fibres.
import type { Rng } from '../../util/rng.js';
import { nearPoint, smoothstep } from './noise-fields.js';

/**
 * Coffee rings, water blotches and tide lines: a blob with an irregular outline (angular harmonics),
 * a smooth interior darkening and a darker drying edge. Multiplies `mul` by (1 - darkness).
 */
export function addStain(rng: Rng, mul: Float32Array, w: number, h: number, scale: number, tex: Float32Array): void {
  const kind = rng.next();
  const ring = kind < 0.45;
  const R = scale * (ring ? rng.uniform(0.05, 0.2) : rng.uniform(0.02, 0.3));
  // Centre so that the outline (ring) or the body (blotch) crosses the crop.
  const px = rng.uniform(0, w);
  const py = rng.uniform(0, h);
  const th = rng.uniform(0, 2 * Math.PI);
  const d = R * (ring ? rng.uniform(0.75, 1.1) : rng.uniform(0, 1.1));
  const cx = px + d * Math.cos(th);
  const cy = py + d * Math.sin(th);
  const harm: [number, number][] = [];
  const wob = ring ? 0.05 : 0.18;
  for (let k = 1; k <= 5; k++) harm.push([(rng.normal() * wob) / k, rng.uniform(0, 2 * Math.PI)]);
  const inner = ring ? rng.uniform(0, 0.08) : rng.uniform(0.05, 0.35);
  const edge = ring ? rng.uniform(0.08, 0.35) : rng.uniform(0, 0.2);
  const edgeW = Math.max(0.8, rng.uniform(0.004, 0.02) * scale);
  const soft = Math.max(1, R * rng.uniform(0.01, 0.15));
  // Rings are often incomplete arcs (the cup was tilted).
  const arcDir = rng.uniform(0, 2 * Math.PI);
  const arcPow = ring && rng.bool(0.6) ? rng.uniform(0.5, 3) : 0;
  const texAmt = rng.uniform(0.2, 0.7);
  const wobAmp = R * rng.uniform(0.01, 0.06);
  const reach = R * (1 + 3 * wob) + 4 * edgeW + 3 * soft;
  const hc = harm.map(([amp, ph]) => amp * Math.cos(ph));
  const hs = harm.map(([amp, ph]) => amp * Math.sin(ph));
  const ax = Math.cos(arcDir);
  const ay = Math.sin(arcDir);
  const edgeReach = 4 * edgeW;
  for (let y = 0; y < h; y++) {
    const dy = y - cy;
    if (Math.abs(dy) > reach) continue;
    for (let x = 0; x < w; x++) {
      const dx = x - cx;
      const r2 = dx * dx + dy * dy;
      if (r2 > reach * reach) continue;
      const r = Math.sqrt(r2) + 1e-6;
      // cos(kθ + φ) = cos kθ cos φ − sin kθ sin φ, with cos kθ, sin kθ by complex powers of (dx + i dy)/r.
      const c1 = dx / r;
      const s1 = dy / r;
      let ck = c1;
      let sk = s1;
      let rr = 1;
      for (let k = 0; k < hc.length; k++) {
        rr += hc[k] * ck - hs[k] * sk;
        const cn = ck * c1 - sk * s1;
        sk = sk * c1 + ck * s1;
        ck = cn;
      }
      const i = y * w + x;
      const rho = r - R * rr + tex[i] * wobAmp;
      let v = rho < -soft ? inner : rho > soft ? 0 : inner * smoothstep(0.5 - rho / (2 * soft));
      v *= 1 + texAmt * tex[i];
      const de = rho + edgeW;
      if (de > -edgeReach && de < edgeReach) {
        let e = edge * Math.exp(-(de * de) / (2 * edgeW * edgeW));
        if (arcPow > 0) e *= Math.pow(0.5 + 0.5 * (c1 * ax + s1 * ay), arcPow);
        v += e;
      }
      if (v > 0) mul[i] *= 1 - Math.min(0.7, v);
    }
  }
}

/** A fold or crease: a thin dark (or bright) line with light/shadow bands on either side. */
export function addCrease(rng: Rng, mul: Float32Array, w: number, h: number, scale: number, crumpled: boolean): void {
  const [px, py] = nearPoint(rng, w, h, 0);
  const ang = rng.uniform(0, Math.PI);
  const nx = -Math.sin(ang);
  const ny = Math.cos(ang);
  const line = rng.bool(0.65) ? rng.uniform(0.05, crumpled ? 0.2 : 0.3) : -rng.uniform(0.03, 0.12);
  const lw = rng.uniform(0.5, 1.6);
  const shade = rng.uniform(0, crumpled ? 0.06 : 0.1) * (rng.bool() ? 1 : -1);
  const L = rng.uniform(0.004, 0.04) * scale;
  const half = crumpled ? rng.uniform(0.03, 0.25) * scale : 1e9;
  const along = rng.uniform(-half * 0.8, half * 0.8);
  const fq = rng.uniform(0.05, 0.4);
  const ph = rng.uniform(0, 2 * Math.PI);
  const far = Math.max(4 * lw, 5 * L);
  // Shade profile by table (0.25 px steps): exp per pixel is the slow part of many creases.
  const STEP = 4;
  const lut = new Float32Array(Math.ceil(far * STEP) + 2);
  for (let i = 0; i < lut.length; i++) lut[i] = shade * Math.exp(-i / STEP / L);
  const lineReach = 4 * lw;
  for (let y = 0; y < h; y++) {
    const ddy = y - py;
    for (let x = 0; x < w; x++) {
      const ddx = x - px;
      const d = ddx * nx + ddy * ny;
      const ad = d < 0 ? -d : d;
      if (ad > far) continue;
      let endFade = 1;
      let t = 0;
      if (crumpled) {
        t = ddx * ny - ddy * nx - along;
        endFade = smoothstep((half - Math.abs(t)) / (0.3 * half));
        if (endFade <= 0) continue;
      }
      let v = lut[(ad * STEP) | 0] * (d < 0 ? -1 : 1);
      if (ad < lineReach) {
        if (!crumpled) t = ddx * ny - ddy * nx;
        v += line * Math.exp(-(d * d) / (2 * lw * lw)) * (0.75 + 0.25 * Math.sin(t * fq + ph));
      }
      mul[y * w + x] *= 1 - endFade * v;
    }
  }
}

/** Short curved paper fibres, slightly darker (or lighter) than the paper. */
export function addFibres(rng: Rng, paper: Float32Array, w: number, h: number): void {
  const n = Math.round(w * h * rng.uniform(0.0003, 0.003));
  const acc = new Float32Array(w * h);
  for (let f = 0; f < n; f++) {
    let [x, y] = nearPoint(rng, w, h, 10);
    let a = rng.uniform(0, 2 * Math.PI);
    const len = rng.uniform(3, 25);
    const curl = rng.normal() * 0.15;
    const dark = rng.bool(0.8) ? rng.uniform(0.03, 0.12) : -rng.uniform(0.02, 0.06);
    for (let s = 0; s < len; s += 0.5) {
      x += 0.5 * Math.cos(a);
      y += 0.5 * Math.sin(a);
      a += curl * 0.5;
      const xi = Math.floor(x);
      const yi = Math.floor(y);
      const fx = x - xi;
      const fy = y - yi;
      const put = (xx: number, yy: number, wt: number): void => {
        if (xx >= 0 && xx < w && yy >= 0 && yy < h) acc[yy * w + xx] += wt * dark;
      };
      put(xi, yi, 0.5 * (1 - fx) * (1 - fy));
      put(xi + 1, yi, 0.5 * fx * (1 - fy));
      put(xi, yi + 1, 0.5 * (1 - fx) * fy);
      put(xi + 1, yi + 1, 0.5 * fx * fy);
    }
  }
  for (let i = 0; i < paper.length; i++) paper[i] *= 1 - Math.max(-0.08, Math.min(0.15, acc[i]));
}
