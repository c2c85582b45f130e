// Sample previews while training: one validation item as three panels side by side — what the network is
// given (noisy page, noisy photo, or the photo with its holes pre-filled and tinted), what it makes of it,
// and the clean target — cropped at 1:1 from the centre (scaling would hide the noise it removes).
import sharp from 'sharp';
import type { ValItem } from './val-set.js';

export interface SamplePreview {
  png: Buffer;
  width: number;
  height: number;
}

const GAP = 4;
const GAP_GREY = 128;

/** Renders `input | output | target` of a validation item, each panel at most `side`×`side` pixels. */
export async function renderSample(item: ValItem, output: Float32Array, side = 128): Promise<SamplePreview> {
  const w = Math.min(side, item.width);
  const h = Math.min(side, item.height);
  const x0 = Math.max(0, Math.floor((item.width - w) / 2));
  const y0 = Math.max(0, Math.floor((item.height - h) / 2));
  const W = 3 * w + 2 * GAP;
  const rgb = Buffer.alloc(W * h * 3, GAP_GREY);
  const c = item.channels;
  const inC = item.inputChannels ?? c;
  const hasMask = inC > c;
  const to8 = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
  const panels: { data: Float32Array; stride: number; mask: boolean }[] = [
    { data: item.input, stride: inC, mask: hasMask },
    { data: output, stride: c, mask: false },
    { data: item.target, stride: c, mask: false },
  ];
  panels.forEach((p, k) => {
    const left = k * (w + GAP);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = ((y0 + y) * item.width + (x0 + x)) * p.stride;
        const dst = (y * W + left + x) * 3;
        const hole = p.mask && item.input[src + inC - 1] > 0.5;
        for (let ch = 0; ch < 3; ch++) {
          let v = to8(p.data[src + (c === 1 ? 0 : ch)]);
          // Holes shown tinted magenta on the input panel, so the user sees what was to be filled.
          if (hole) v = Math.round(0.55 * v + 0.45 * (ch === 1 ? 0 : 255));
          rgb[dst + ch] = v;
        }
      }
    }
  });
  const png = await sharp(rgb, { raw: { width: W, height: h, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
  return { png, width: W, height: h };
}
