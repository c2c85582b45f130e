// Every job a front end can ask for, as one validated union of the kinds' schemas (kinds/*.ts).
import { z } from 'zod';
import { AezError } from '../util/errors.js';
import { compressSpecSchema } from './kinds/compress-job.js';
import { decompressSpecSchema } from './kinds/decompress-job.js';
import { denoiseSpecSchema } from './kinds/denoise-job.js';
import { inpaintSpecSchema } from './kinds/inpaint-job.js';
import { trainSpecSchema } from './kinds/train-job.js';

export const jobSpecSchema = z.discriminatedUnion('kind', [denoiseSpecSchema, trainSpecSchema, compressSpecSchema, decompressSpecSchema, inpaintSpecSchema]);
export type JobSpec = z.input<typeof jobSpecSchema>;
export type ParsedJobSpec = z.output<typeof jobSpecSchema>;
export type DenoiseJobSpec = z.input<typeof denoiseSpecSchema>;
export type TrainJobSpec = z.input<typeof trainSpecSchema>;
export type CompressJobSpec = z.input<typeof compressSpecSchema>;
export type DecompressJobSpec = z.input<typeof decompressSpecSchema>;
export type InpaintJobSpec = z.input<typeof inpaintSpecSchema>;
export type BatchJobSpec = DenoiseJobSpec | CompressJobSpec | DecompressJobSpec | InpaintJobSpec;

/** Parses a spec from an untrusted caller (IPC, HTTP): a specific message for each bad field. */
export function parseJobSpec(raw: unknown): ParsedJobSpec {
  const r = jobSpecSchema.safeParse(raw);
  if (!r.success) {
    throw new AezError('BAD_ARGUMENT', `invalid job: ${r.error.issues.map((i) => `${i.path.join('.') || 'spec'}: ${i.message}`).join('; ')}`);
  }
  return r.data;
}
