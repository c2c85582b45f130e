// Compress a batch of images to .aez files on the codec's worker thread (one image at a time, on the engine
// chosen there: onnxruntime when it loads, which uses every core itself, else TensorFlow.js).
import { z } from 'zod';
import { planBatch } from '../../batch/plan.js';
import { DEFAULT_CODEC_MODEL } from '../../codec/defaults.js';
import type { RateRequest } from '../../codec/image-codec.js';
import { isInputImagePath } from '../../image/input-types.js';
import { AezError } from '../../util/errors.js';
import type { BatchJobKind } from '../job-kind.js';

/** One of quality (1 … the model's levels), a bpp target or a size target in bytes; none: the default quality. */
export const compressSpecSchema = z
  .object({
    kind: z.literal('compress'),
    inputs: z.array(z.string().min(1)).min(1),
    /** A file, or a folder (made when missing); absent: each output beside its input (see batch/plan.ts). */
    output: z.string().min(1).optional(),
    model: z.string().min(1).default(DEFAULT_CODEC_MODEL),
    quality: z.number().min(1).max(64).optional(),
    bpp: z.number().positive().max(64).optional(),
    bytes: z.number().int().positive().max(2 ** 40).optional(),
    /** Encoder-side latent refinement: 0 none, 1 (about 9 % fewer bits, much slower; a quality setting only). */
    effort: z.number().int().min(0).max(1).default(0),
    overwrite: z.boolean().default(false),
  })
  .strict();

/** The rate request of a spec's quality / bpp / bytes: at most one of them. */
export function rateRequest(o: { quality?: number; bpp?: number; bytes?: number }): RateRequest | undefined {
  if ([o.quality, o.bpp, o.bytes].filter((v) => v !== undefined).length > 1) throw new AezError('BAD_ARGUMENT', 'give at most one of quality, bpp and size');
  return o.quality !== undefined ? { quality: o.quality } : o.bpp !== undefined ? { bpp: o.bpp } : o.bytes !== undefined ? { bytes: o.bytes } : undefined;
}

export const compressJob: BatchJobKind<typeof compressSpecSchema> = {
  schema: compressSpecSchema,
  async plan(spec, ctx) {
    const rate = rateRequest(spec);
    if (spec.effort > 0 && rate && !('quality' in rate)) throw new AezError('BAD_ARGUMENT', 'effort works with a quality setting, not with a size or bpp target');
    // A missing model or a setting it cannot do fails the job up front, not each file.
    await ctx.codec.run({ op: 'check-model', model: spec.model, rate });
    const items = await planBatch(spec.inputs, spec.output, { accept: isInputImagePath, defaultExt: '.aez', outputExts: ['.aez'], besideSuffix: '' });
    return {
      items,
      job: (item, onProgress, signal) => ctx.codec.run({ op: 'compress', input: item.input, output: item.output, model: spec.model, rate, effort: spec.effort, overwrite: spec.overwrite }, { signal, onProgress }),
    };
  },
};
