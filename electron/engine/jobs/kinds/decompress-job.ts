// Restore .aez files to images on the codec's worker thread (the model each file names must be installed).
import { z } from 'zod';
import { planBatch } from '../../batch/plan.js';
import { IMAGE_OUTPUT_EXTS, OUTPUT_FORMAT_NAMES } from '../../image/output-formats.js';
import type { BatchJobKind } from '../job-kind.js';

export const decompressSpecSchema = z
  .object({
    kind: z.literal('decompress'),
    inputs: z.array(z.string().min(1)).min(1),
    /** A file, or a folder (made when missing); absent: each output beside its input (see batch/plan.ts). */
    output: z.string().min(1).optional(),
    format: z.enum(OUTPUT_FORMAT_NAMES).default('png'),
    overwrite: z.boolean().default(false),
  })
  .strict();

export const decompressJob: BatchJobKind<typeof decompressSpecSchema> = {
  schema: decompressSpecSchema,
  async plan(spec, ctx) {
    const items = await planBatch(spec.inputs, spec.output, { accept: (p) => p.toLowerCase().endsWith('.aez'), defaultExt: '.' + spec.format, outputExts: IMAGE_OUTPUT_EXTS, besideSuffix: 'restored' });
    return {
      items,
      job: (item, onProgress, signal) => ctx.codec.run({ op: 'decompress', input: item.input, output: item.output, overwrite: spec.overwrite }, { signal, onProgress }),
    };
  },
};
