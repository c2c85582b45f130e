// The page being laid out: ink coverage 0..1, onto which rendered text is pasted and rules are drawn.
import type { Coverage } from './text-render.js';

/** Page ink, 0..1 coverage, composited with max (text over rules never gets lighter). */
export class InkCanvas {
  readonly ink: Float32Array;
  constructor(readonly w: number, readonly h: number) {
    this.ink = new Float32Array(w * h);
  }
  paste(c: Coverage, x0: number, y0: number): void {
    x0 = Math.round(x0);
    y0 = Math.round(y0);
    for (let y = Math.max(0, -y0); y < c.h && y + y0 < this.h; y++) {
      const row = (y + y0) * this.w;
      for (let x = Math.max(0, -x0); x < c.w && x + x0 < this.w; x++) {
        const v = c.data[y * c.w + x] / 255;
        if (v > this.ink[row + x + x0]) this.ink[row + x + x0] = v;
      }
    }
  }
  hline(x0: number, x1: number, y: number, thickness: number): void {
    const ya = Math.round(y);
    for (let yy = ya; yy < ya + thickness; yy++) {
      if (yy < 0 || yy >= this.h) continue;
      for (let x = Math.max(0, Math.round(x0)); x < Math.min(this.w, Math.round(x1)); x++) this.ink[yy * this.w + x] = 1;
    }
  }
  vline(x: number, y0: number, y1: number, thickness: number): void {
    const xa = Math.round(x);
    for (let y = Math.max(0, Math.round(y0)); y < Math.min(this.h, Math.round(y1)); y++) {
      for (let xx = xa; xx < xa + thickness; xx++) if (xx >= 0 && xx < this.w) this.ink[y * this.w + xx] = 1;
    }
  }
}
