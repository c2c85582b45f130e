// The codec's learned transforms run over large images in chunks with context, so memory stays bounded
// whatever the image size. A chunk's context reaches further than the network's receptive field (≈31 px
// for the analysis, ≈2 latents for the synthesis) and is clipped at the image edge, where the whole-image
// network would zero-pad too, so chunked output equals whole-image output up to float rounding: no seams.
import { throwIfCancelled } from '../util/errors.js';
import type { CodecTransforms } from './transform-engines.js';
import type { CodecModel } from './codec-model.js';

/** Analysis chunk core and context, in pixels (multiples of 64). */
const ANALYSIS_CORE = 768;
const ANALYSIS_CONTEXT = 64;
/**
 * Synthesis chunk core and context, in latents (1 latent = 16 pixels). 48 (768 px) keeps a 768×512 image in one
 * chunk; the exact synthesis's clamp/floor steps hold more full-size intermediates than the float one did, and
 * 64 took a 40 MP compress to 1.53 GiB peak RSS (48: 1.33 GiB, same bytes, same pixels).
 */
const SYNTHESIS_CORE = 48;
const SYNTHESIS_CONTEXT = 4;

/** Fills an RGB chunk [x0, x0+w) × [y0, y0+h) of the (padded) tile: HWC floats 0..1. */
export type ChunkReader = (x0: number, y0: number, w: number, h: number) => Float32Array;

interface Span {
  /** Extended range [a, b) including context, and core [c0, c1) inside it. */
  a: number;
  b: number;
  c0: number;
  c1: number;
}

function spans(size: number, core: number, context: number): Span[] {
  const out: Span[] = [];
  for (let c0 = 0; c0 < size; c0 += core) {
    const c1 = Math.min(size, c0 + core);
    out.push({ a: Math.max(0, c0 - context), b: Math.min(size, c1 + context), c0, c1 });
  }
  return out;
}

/**
 * y = g_a(x) for an RGB image of width × height (multiples of 64) read chunk by chunk through `read`.
 * Returns y as HWC float32 [H/16, W/16, M] (before the quality gain); `onChunk` gets the pixels of each
 * finished chunk (for progress).
 */
export async function analyze(
  rt: CodecTransforms,
  model: CodecModel,
  read: ChunkReader,
  width: number,
  height: number,
  signal?: AbortSignal,
  onChunk?: (pixels: number) => void,
): Promise<Float32Array> {
  const m = model.cfg.m;
  const lw = width / 16;
  const y = new Float32Array((height / 16) * lw * m);
  for (const sy of spans(height, ANALYSIS_CORE, ANALYSIS_CONTEXT)) {
    for (const sx of spans(width, ANALYSIS_CORE, ANALYSIS_CONTEXT)) {
      throwIfCancelled(signal);
      const cw = sx.b - sx.a;
      const ch = sy.b - sy.a;
      const data = await rt.run(model, 'analysis', read(sx.a, sy.a, cw, ch), [1, ch, cw, 3]);
      const ow = cw / 16;
      for (let ly = sy.c0 / 16; ly < sy.c1 / 16; ly++) {
        const src = ((ly - sy.a / 16) * ow + (sx.c0 - sx.a) / 16) * m;
        y.set(data.subarray(src, src + ((sx.c1 - sx.c0) / 16) * m), (ly * lw + sx.c0 / 16) * m);
      }
      onChunk?.((sx.c1 - sx.c0) * (sy.c1 - sy.c0));
    }
  }
  return y;
}

/** z = h_a(y·gain), whole (y is small: 1/256 of the pixels). Returns HWC float32 [h/4, w/4, NZ]. */
export function hyperAnalyze(rt: CodecTransforms, model: CodecModel, yScaled: Float32Array, lh: number, lw: number): Promise<Float32Array> {
  return rt.run(model, 'hyperAnalysis', yScaled, [1, lh, lw, model.cfg.m]);
}

/**
 * x̂ = g_s(ŷ) for latents ŷ (HWC [lh, lw, M], inverse gain applied), chunk by chunk: `onBlock` receives
 * each finished block of pixels (x0, y0, width, height and its HWC RGB floats, not clipped); `onChunk`
 * the pixels each chunk produced (for progress).
 */
export async function synthesize(
  rt: CodecTransforms,
  model: CodecModel,
  yHat: Float32Array,
  lh: number,
  lw: number,
  onBlock: (x0: number, y0: number, w: number, h: number, rgb: Float32Array) => void,
  signal?: AbortSignal,
  onChunk?: (pixels: number) => void,
): Promise<void> {
  const m = model.cfg.m;
  for (const sy of spans(lh, SYNTHESIS_CORE, SYNTHESIS_CONTEXT)) {
    for (const sx of spans(lw, SYNTHESIS_CORE, SYNTHESIS_CONTEXT)) {
      throwIfCancelled(signal);
      const cw = sx.b - sx.a;
      const ch = sy.b - sy.a;
      const chunk = new Float32Array(cw * ch * m);
      for (let r = 0; r < ch; r++) chunk.set(yHat.subarray(((sy.a + r) * lw + sx.a) * m, ((sy.a + r) * lw + sx.b) * m), r * cw * m);
      const data = await rt.run(model, 'synthesis', chunk, [1, ch, cw, m]);
      const pw = cw * 16;
      const bw = (sx.c1 - sx.c0) * 16;
      const bh = (sy.c1 - sy.c0) * 16;
      const block = new Float32Array(bw * bh * 3);
      for (let r = 0; r < bh; r++) {
        const src = (((sy.c0 - sy.a) * 16 + r) * pw + (sx.c0 - sx.a) * 16) * 3;
        block.set(data.subarray(src, src + bw * 3), r * bw * 3);
      }
      onBlock(sx.c0 * 16, sy.c0 * 16, bw, bh, block);
      onChunk?.(bw * bh);
    }
  }
}
