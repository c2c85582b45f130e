// Free-form hole masks for training and benchmarking the inpainter: brush strokes (polylines of random
// width with alternating turns, as in DeepFill v2's generator), smooth blobs and rectangles, drawn until
// the hole fraction reaches a target drawn from a range. Everything comes from a seeded Rng, so a mask is
// a pure function of (seed, width, height, options).
import { Rng } from '../util/rng.js';

export interface MaskOptions {
  /** Fraction of the image in holes: the target is drawn uniformly from [minFraction, maxFraction]. */
  minFraction: number;
  maxFraction: number;
  /**
   * Size of the picture the shapes are drawn for (pixels). Defaults to the smaller side of the mask; a
   * training patch cut from a large photo passes the photo's size, so holes have the widths they would
   * have on a whole image (a 40-px stroke stays 40 px on a 128-px patch).
   */
  scale?: number;
  /** Relative frequency of strokes, blobs and rectangles (default 0.6, 0.25, 0.15). */
  mix?: { stroke: number; blob: number; rect: number };
}

/** A hole mask: 1 = hole, 0 = known, row-major, one byte per pixel. */
export interface HoleMask {
  width: number;
  height: number;
  data: Uint8Array;
  /** Hole pixels. */
  holes: number;
}

/** Mask drawing surface that records what each shape changed, so a shape that overshoots can be undone. */
class Canvas {
  readonly data: Uint8Array;
  holes = 0;
  private changed: number[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height);
  }

  set(i: number): void {
    if (this.data[i] === 0) {
      this.data[i] = 1;
      this.holes++;
      this.changed.push(i);
    }
  }

  begin(): void {
    this.changed = [];
  }

  undo(): void {
    for (const i of this.changed) this.data[i] = 0;
    this.holes -= this.changed.length;
    this.changed = [];
  }

  /** Disc of radius r (pixel centres within r). */
  disc(cx: number, cy: number, r: number): void {
    const x0 = Math.max(0, Math.floor(cx - r));
    const x1 = Math.min(this.width - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(this.height - 1, Math.ceil(cy + r));
    const r2 = r * r;
    for (let y = y0; y <= y1; y++) {
      const dy = y - cy;
      for (let x = x0; x <= x1; x++) {
        const dx = x - cx;
        if (dx * dx + dy * dy <= r2) this.set(y * this.width + x);
      }
    }
  }

  /** Thick line segment with round caps: pixels within r of the segment. */
  capsule(ax: number, ay: number, bx: number, by: number, r: number): void {
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r));
    const x1 = Math.min(this.width - 1, Math.ceil(Math.max(ax, bx) + r));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r));
    const y1 = Math.min(this.height - 1, Math.ceil(Math.max(ay, by) + r));
    const vx = bx - ax;
    const vy = by - ay;
    const len2 = vx * vx + vy * vy;
    const r2 = r * r;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const px = x - ax;
        const py = y - ay;
        let t = len2 > 0 ? (px * vx + py * vy) / len2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const dx = px - t * vx;
        const dy = py - t * vy;
        if (dx * dx + dy * dy <= r2) this.set(y * this.width + x);
      }
    }
  }
}

/** DeepFill v2-style brush stroke: 4–12 vertices, turns alternating around 2π/5, random width. */
function stroke(c: Canvas, rng: Rng, scale: number, size: number): void {
  const vertices = rng.int(4, 13);
  const meanAngle = (2 * Math.PI) / 5;
  const angleRange = (2 * Math.PI) / 15;
  const avgRadius = (scale * Math.SQRT2) / 8;
  const width = size * scale * rng.uniform(0.02, 0.07);
  let x = rng.uniform(0, c.width);
  let y = rng.uniform(0, c.height);
  let heading = rng.uniform(0, 2 * Math.PI);
  for (let v = 0; v < vertices; v++) {
    const turn = rng.uniform(meanAngle - angleRange, meanAngle + angleRange);
    heading += v % 2 === 0 ? turn : -turn;
    const len = Math.min(2 * avgRadius, Math.max(0, avgRadius / 2 + (avgRadius / 4) * rng.normal())) * size;
    const nx = Math.min(c.width - 1, Math.max(0, x + len * Math.cos(heading)));
    const ny = Math.min(c.height - 1, Math.max(0, y + len * Math.sin(heading)));
    c.capsule(x, y, nx, ny, width / 2);
    x = nx;
    y = ny;
  }
}

/** Smooth blob: a radius that varies with angle by a few low harmonics. */
function blob(c: Canvas, rng: Rng, scale: number, size: number): void {
  const r = size * scale * rng.uniform(0.03, 0.12);
  const cx = rng.uniform(0, c.width);
  const cy = rng.uniform(0, c.height);
  const harmonics = [2, 3, 4].map((k) => ({ k, a: rng.uniform(0, 0.3 / (k - 1)), p: rng.uniform(0, 2 * Math.PI) }));
  const stretch = rng.uniform(0.6, 1.4);
  const rot = rng.uniform(0, Math.PI);
  const cos = Math.cos(rot);
  const sin = Math.sin(rot);
  const reach = r * 1.6 * Math.max(stretch, 1 / stretch);
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(c.width - 1, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(c.height - 1, Math.ceil(cy + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const u = (dx * cos + dy * sin) / stretch;
      const w = (-dx * sin + dy * cos) * stretch;
      const theta = Math.atan2(w, u);
      let rr = 1;
      for (const h of harmonics) rr += h.a * Math.cos(h.k * theta + h.p);
      if (u * u + w * w <= r * r * rr * rr) c.set(y * c.width + x);
    }
  }
}

function rect(c: Canvas, rng: Rng, scale: number, size: number): void {
  const w = Math.max(1, size * scale * rng.uniform(0.04, 0.22));
  const h = Math.max(1, size * scale * rng.uniform(0.04, 0.22));
  const x0 = Math.round(rng.uniform(-w / 2, c.width - w / 2));
  const y0 = Math.round(rng.uniform(-h / 2, c.height - h / 2));
  for (let y = Math.max(0, y0); y < Math.min(c.height, y0 + Math.round(h)); y++) {
    for (let x = Math.max(0, x0); x < Math.min(c.width, x0 + Math.round(w)); x++) c.set(y * c.width + x);
  }
}

/**
 * Generates a free-form mask whose hole fraction lies in [minFraction, maxFraction]. Shapes are added
 * until a target fraction drawn from that range is reached; a shape that would overshoot the range is
 * undone and retried smaller.
 */
export function generateMask(rng: Rng, width: number, height: number, opts: MaskOptions): HoleMask {
  const { minFraction, maxFraction } = opts;
  if (!(width > 0 && height > 0)) throw new Error(`mask size ${width}×${height} is not valid`);
  if (!(minFraction >= 0 && maxFraction <= 1 && minFraction <= maxFraction)) {
    throw new Error(`hole fraction range [${minFraction}, ${maxFraction}] is not valid`);
  }
  const total = width * height;
  const c = new Canvas(width, height);
  const target = Math.ceil(rng.uniform(minFraction, maxFraction) * total);
  const lo = Math.ceil(minFraction * total);
  const hi = Math.floor(maxFraction * total);
  const scale = opts.scale ?? Math.min(width, height);
  const mix = opts.mix ?? { stroke: 0.6, blob: 0.25, rect: 0.15 };
  const mixTotal = mix.stroke + mix.blob + mix.rect;
  let size = 1;
  for (let attempt = 0; c.holes < Math.max(target, lo) && attempt < 2000; attempt++) {
    c.begin();
    const pick = rng.next() * mixTotal;
    if (pick < mix.stroke) stroke(c, rng, scale, size);
    else if (pick < mix.stroke + mix.blob) blob(c, rng, scale, size);
    else rect(c, rng, scale, size);
    if (c.holes > hi) {
      c.undo();
      size *= 0.8; // too big for what is left: try smaller shapes
    }
  }
  // Range not reached with shapes (tiny masks): add single pixels; cannot overshoot.
  for (let i = 0; c.holes < lo && i < total * 4; i++) c.set(rng.int(0, total));
  return { width, height, data: c.data, holes: c.holes };
}

/** The benchmark's fixed masks: 10–30 % holes, seeded by image index. */
export function benchmarkMask(index: number, width: number, height: number, seed = 4242): HoleMask {
  return generateMask(new Rng((seed * 1000003 + index * 7919) >>> 0), width, height, { minFraction: 0.1, maxFraction: 0.3 });
}
