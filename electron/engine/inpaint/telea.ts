// Telea's inpainting (A. Telea, "An image inpainting technique based on the fast marching method", 2004)
// as OpenCV implements it in cv::inpaint(..., INPAINT_TELEA): the benchmark's reference and a classic
// fallback. Ported from the behaviour of OpenCV 4.x modules/photo/src/inpaint.cpp, quirks included, so
// scores match the OpenCV figures measured on these machines:
//  - distances T are float32 on a grid with a one-pixel border; the narrow band starts at T = 0 and ties
//    in the priority queue pop first-in first-out;
//  - known pixels within `radius` (a square dilation) get negative distances from an outward march first;
//  - each hole pixel is the weighted mean of known pixels within `radius` (weight = direction · level ·
//    1/distance³) plus a gradient term that OpenCV normalises to unit length and scales by 2, then +0.5
//    and rounding to 8 bits (saturate_cast); filled pixels feed later ones as 8-bit values.
// Checked against python3-opencv 4.6 cv2.inpaint on photos/val with generated masks: identical output
// but for a few float32 rounding cascades (see test/inpaint-telea.test.ts).

const KNOWN = 0;
const BAND = 1;
const INSIDE = 2;
const CHANGE = 3;

/** Min-priority queue on (T, insertion order): the order OpenCV's sorted list pops in. */
class FmmQueue {
  private readonly t: Float32Array;
  private readonly seq: Float64Array;
  private readonly idx: Int32Array;
  private size = 0;
  private counter = 0;

  constructor(capacity: number) {
    this.t = new Float32Array(capacity + 1);
    this.seq = new Float64Array(capacity + 1);
    this.idx = new Int32Array(capacity + 1);
  }

  private less(a: number, b: number): boolean {
    return this.t[a] < this.t[b] || (this.t[a] === this.t[b] && this.seq[a] < this.seq[b]);
  }

  private swap(a: number, b: number): void {
    const t = this.t[a];
    this.t[a] = this.t[b];
    this.t[b] = t;
    const s = this.seq[a];
    this.seq[a] = this.seq[b];
    this.seq[b] = s;
    const i = this.idx[a];
    this.idx[a] = this.idx[b];
    this.idx[b] = i;
  }

  push(index: number, t: number): void {
    if (this.size >= this.t.length) return; // OpenCV ignores a full queue too (cannot happen: sized exactly)
    let k = this.size++;
    this.t[k] = t;
    this.seq[k] = this.counter++;
    this.idx[k] = index;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.less(k, parent)) break;
      this.swap(k, parent);
      k = parent;
    }
  }

  /** Index of the smallest element, or -1 when empty. */
  pop(): number {
    if (this.size === 0) return -1;
    const top = this.idx[0];
    this.size--;
    if (this.size > 0) {
      this.t[0] = this.t[this.size];
      this.seq[0] = this.seq[this.size];
      this.idx[0] = this.idx[this.size];
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < this.size && this.less(l, m)) m = l;
        if (r < this.size && this.less(r, m)) m = r;
        if (m === k) break;
        this.swap(k, m);
        k = m;
      }
    }
    return top;
  }
}

/** The eikonal update from two neighbours (OpenCV's FastMarching_solve), in double, stored as float32. */
function solve(p1: number, p2: number, f: Uint8Array, t: Float32Array): number {
  const a11 = t[p1];
  const a22 = t[p2];
  const m12 = Math.min(a11, a22);
  if (f[p1] !== INSIDE) {
    if (f[p2] !== INSIDE) {
      const d = a11 - a22;
      return Math.abs(d) >= 1 ? 1 + m12 : (a11 + a22 + Math.sqrt(2 - d * d)) * 0.5;
    }
    return 1 + a11;
  }
  if (f[p2] !== INSIDE) return 1 + a22;
  return 1 + m12;
}

function arrival(p: number, ew: number, f: Uint8Array, t: Float32Array): number {
  return Math.fround(
    Math.min(
      Math.fround(solve(p - ew, p - 1, f, t)),
      Math.fround(solve(p + ew, p - 1, f, t)),
      Math.fround(solve(p - ew, p + 1, f, t)),
      Math.fround(solve(p + ew, p + 1, f, t)),
    ),
  );
}

/** Binary dilation on the bordered grid with a (2r+1)² square (r = 1 and cross = true: the 3×3 cross). */
function dilate(src: Uint8Array, ew: number, eh: number, r: number, cross: boolean): Uint8Array {
  const out = new Uint8Array(src.length);
  if (cross) {
    for (let i = 0; i < eh; i++) {
      for (let j = 0; j < ew; j++) {
        const p = i * ew + j;
        out[p] = src[p] || (i > 0 && src[p - ew]) || (i < eh - 1 && src[p + ew]) || (j > 0 && src[p - 1]) || (j < ew - 1 && src[p + 1]) ? INSIDE : 0;
      }
    }
    return out;
  }
  // Separable square: rows, then columns.
  const tmp = new Uint8Array(src.length);
  for (let i = 0; i < eh; i++) {
    let last = -1e9; // last nonzero column seen
    for (let j = 0; j < ew + r; j++) {
      if (j < ew && src[i * ew + j]) last = j;
      const o = j - r;
      if (o >= 0 && o < ew) {
        // nonzero within [o - r, o + r]: the last nonzero up to o + r is at least o - r
        tmp[i * ew + o] = last >= o - r ? 1 : 0;
      }
    }
  }
  for (let j = 0; j < ew; j++) {
    let last = -1e9;
    for (let i = 0; i < eh + r; i++) {
      if (i < eh && tmp[i * ew + j]) last = i;
      const o = i - r;
      if (o >= 0 && o < eh) out[o * ew + j] = last >= o - r ? INSIDE : 0;
    }
  }
  return out;
}

function clearBorder(a: Uint8Array, ew: number, eh: number): void {
  for (let j = 0; j < ew; j++) a[j] = a[(eh - 1) * ew + j] = 0;
  for (let i = 0; i < eh; i++) a[i * ew] = a[i * ew + ew - 1] = 0;
}

/**
 * cv::inpaint(img, mask, out, radius, INPAINT_TELEA) on an 8-bit interleaved image (1 or 3 channels),
 * in place. `mask` is one byte per pixel, nonzero = hole.
 */
export function teleaInpaint8(img: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: 1 | 3, mask: Uint8Array, radius = 3): void {
  const range = Math.min(100, Math.max(1, Math.round(radius)));
  const ew = width + 2;
  const eh = height + 2;
  const n = ew * eh;
  const out = img instanceof Uint8ClampedArray ? img : new Uint8ClampedArray(img.buffer, img.byteOffset, img.length);

  const holes = new Uint8Array(n); // OpenCV's `mask`: INSIDE at holes, KNOWN elsewhere, zero border
  let any = false;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x]) {
        holes[(y + 1) * ew + x + 1] = INSIDE;
        any = true;
      }
    }
  }
  if (!any) return;
  const t = new Float32Array(n).fill(1.0e6);

  const band = dilate(holes, ew, eh, 1, true);
  let bandAndHoles = 0;
  for (let p = 0; p < n; p++) if (band[p]) bandAndHoles++;
  const heap = new FmmQueue(bandAndHoles);
  for (let p = 0; p < n; p++) if (holes[p]) band[p] = 0;
  clearBorder(band, ew, eh);
  for (let p = 0; p < n; p++) {
    if (band[p]) {
      heap.push(p, 0);
      t[p] = 0;
    }
  }

  // Outward march: negative distances for known pixels within `range` of the holes.
  const ring = dilate(holes, ew, eh, range, false);
  for (let p = 0; p < n; p++) if (holes[p]) ring[p] = 0;
  let ringCount = 0;
  for (let p = 0; p < n; p++) if (ring[p]) ringCount++;
  const outQueue = new FmmQueue(ringCount);
  for (let p = 0; p < n; p++) if (band[p]) outQueue.push(p, 0);
  for (let p = 0; p < n; p++) if (band[p]) ring[p] = 0;
  clearBorder(ring, ew, eh);
  for (let p = outQueue.pop(); p >= 0; p = outQueue.pop()) {
    ring[p] = CHANGE;
    const ii = (p / ew) | 0;
    const jj = p - ii * ew;
    for (let q = 0; q < 4; q++) {
      const i = q === 0 ? ii - 1 : q === 2 ? ii + 1 : ii;
      const j = q === 1 ? jj - 1 : q === 3 ? jj + 1 : jj;
      if (i <= 0 || j <= 0 || i > eh || j > ew) continue;
      const np = i * ew + j;
      if (ring[np] === INSIDE) {
        const dist = arrival(np, ew, ring, t);
        t[np] = dist;
        ring[np] = BAND;
        outQueue.push(np, dist);
      }
    }
  }
  for (let p = 0; p < n; p++) {
    if (ring[p] === CHANGE) {
      ring[p] = KNOWN;
      t[p] = -t[p];
    }
  }

  // Inward march, filling each hole pixel as the front reaches it.
  const f = holes;
  const r2 = range * range;
  const ia = new Float64Array(3);
  const jx = new Float64Array(3);
  const jy = new Float64Array(3);
  const fr = Math.fround;
  const at = (row: number, col: number, c: number) => out[(row * width + col) * channels + c];
  for (let p = heap.pop(); p >= 0; p = heap.pop()) {
    f[p] = KNOWN;
    const ii = (p / ew) | 0;
    const jj = p - ii * ew;
    for (let q = 0; q < 4; q++) {
      const i = q === 0 ? ii - 1 : q === 2 ? ii + 1 : ii;
      const j = q === 1 ? jj - 1 : q === 3 ? jj + 1 : jj;
      if (i <= 0 || j <= 0 || i > eh - 1 || j > ew - 1) continue;
      const np = i * ew + j;
      if (f[np] !== INSIDE) continue;
      const dist = arrival(np, ew, f, t);
      t[np] = dist;
      const tij = t[np];

      let gtx: number;
      let gty: number;
      if (f[np + 1] !== INSIDE) gtx = f[np - 1] !== INSIDE ? fr((t[np + 1] - t[np - 1]) * 0.5) : fr(t[np + 1] - tij);
      else gtx = f[np - 1] !== INSIDE ? fr(tij - t[np - 1]) : 0;
      if (f[np + ew] !== INSIDE) gty = f[np - ew] !== INSIDE ? fr((t[np + ew] - t[np - ew]) * 0.5) : fr(t[np + ew] - tij);
      else gty = f[np - ew] !== INSIDE ? fr(tij - t[np - ew]) : 0;

      let s = 1.0e-20;
      ia.fill(0);
      jx.fill(0);
      jy.fill(0);
      for (let k = i - range; k <= i + range; k++) {
        if (k <= 0 || k >= eh - 1) continue;
        const km = k - 1 + (k === 1 ? 1 : 0);
        const kp = k - 1 - (k === eh - 2 ? 1 : 0);
        for (let l = j - range; l <= j + range; l++) {
          if (l <= 0 || l >= ew - 1) continue;
          const kl = k * ew + l;
          if (f[kl] === INSIDE || (l - j) * (l - j) + (k - i) * (k - i) > r2) continue;
          const lm = l - 1 + (l === 1 ? 1 : 0);
          const lp = l - 1 - (l === ew - 2 ? 1 : 0);
          const ry = i - k;
          const rx = j - l;
          const len2 = rx * rx + ry * ry;
          const dst = fr(1 / (len2 * Math.sqrt(len2)));
          const lev = fr(1 / (1 + Math.abs(t[kl] - tij)));
          let dir = fr(rx * gtx + ry * gty);
          if (Math.abs(dir) <= 0.01) dir = fr(0.000001);
          const w = fr(Math.abs(fr(fr(dst * lev) * dir)));
          const rightOk = f[kl + 1] !== INSIDE;
          const leftOk = f[kl - 1] !== INSIDE;
          const downOk = f[kl + ew] !== INSIDE;
          const upOk = f[kl - ew] !== INSIDE;
          for (let c = 0; c < channels; c++) {
            let gx: number;
            let gy: number;
            if (rightOk) gx = leftOk ? (at(km, lp + 1, c) - at(km, lm - 1, c)) * 2 : at(km, lp + 1, c) - at(km, lm, c);
            else gx = leftOk ? at(km, lp, c) - at(km, lm - 1, c) : 0;
            if (downOk) gy = upOk ? (at(kp + 1, lm, c) - at(km - 1, lm, c)) * 2 : at(kp + 1, lm, c) - at(km, lm, c);
            else gy = upOk ? at(kp, lm, c) - at(km - 1, lm, c) : 0;
            ia[c] = fr(ia[c] + fr(w * at(km, lm, c)));
            jx[c] = fr(jx[c] - fr(w * fr(gx * rx)));
            jy[c] = fr(jy[c] - fr(w * fr(gy * ry)));
          }
          s = fr(s + w);
        }
      }
      for (let c = 0; c < channels; c++) {
        const norm = fr(Math.sqrt(fr(fr(jx[c] * jx[c]) + fr(jy[c] * jy[c]))) + 1.0e-20);
        const sat = fr(fr(fr(ia[c] / s) + fr(fr(jx[c] + jy[c]) / norm)) + 0.5);
        out[((i - 1) * width + (j - 1)) * channels + c] = sat; // Uint8ClampedArray: clamp, round half to even
      }
      f[np] = BAND;
      heap.push(np, dist);
    }
  }
}

export interface TeleaOptions {
  /** Neighbourhood radius in pixels (OpenCV's inpaintRadius); default 3. */
  radius?: number;
}

/**
 * Telea inpainting of a float image (HWC, 0..1, 1 or 3 channels) through 8 bits, as OpenCV does on 8-bit
 * images. Returns a new array: hole pixels hold the fill (v/255), known pixels are the input's, bit for bit.
 */
export function teleaInpaint(data: Float32Array, width: number, height: number, channels: 1 | 3, mask: Uint8Array, opts: TeleaOptions = {}): Float32Array {
  const n = width * height;
  const img = new Uint8ClampedArray(n * channels);
  for (let p = 0; p < n; p++) {
    if (mask[p]) continue; // hole content is never read
    for (let c = 0; c < channels; c++) img[p * channels + c] = data[p * channels + c] * 255; // clamps, rounds
  }
  teleaInpaint8(img, width, height, channels, mask, opts.radius ?? 3);
  const out = new Float32Array(data);
  for (let p = 0; p < n; p++) {
    if (!mask[p]) continue;
    for (let c = 0; c < channels; c++) out[p * channels + c] = img[p * channels + c] / 255;
  }
  return out;
}
