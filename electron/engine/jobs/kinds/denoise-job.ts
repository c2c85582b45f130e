// Denoise a batch of images with a photo or scan model, on the inference pool.
import { z } from 'zod';
import { planBatch } from '../../batch/plan.js';
import { denoiseFile } from '../../denoise/denoise-file.js';
import { isInputImagePath } from '../../image/input-types.js';
import { IMAGE_OUTPUT_EXTS, OUTPUT_FORMAT_NAMES } from '../../image/output-formats.js';
import { loadModel } from '../../models/registry.js';
import type { BatchJobKind } from '../job-kind.js';

export const denoiseSpecSchema = z
  .object({
    kind: z.literal('denoise'),
    inputs: z.array(z.string().min(1)).min(1),
    /** A file, or a folder (made when missing); absent: each output beside its input (see batch/plan.ts). */
    output: z.string().min(1).optional(),
    model: z.string().min(1).default('photo'),
    sigma: z.number().min(0).max(100).optional(),
    format: z.enum(OUTPUT_FORMAT_NAMES).default('png'),
    overwrite: z.boolean().default(false),
  });

export const denoiseJob: BatchJobKind<typeof denoiseSpecSchema> = {
  schema: denoiseSpecSchema,
  async plan(spec, ctx) {
    const items = await planBatch(spec.inputs, spec.output, { accept: isInputImagePath, defaultExt: '.' + spec.format, outputExts: IMAGE_OUTPUT_EXTS, besideSuffix: 'denoised' });
    const model = await loadModel(spec.model);
    return { items, job: (item, onProgress, signal) => denoiseFile(item.input, item.output, model, ctx.pool, { sigma: spec.sigma, overwrite: spec.overwrite, signal, onProgress }) };
  },
};
