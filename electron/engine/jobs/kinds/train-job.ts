// A training run on its own gradient worker threads (train/training-run.ts). Cancel = stop: the trainer finishes the
// step in hand, writes a checkpoint and ends with `stopped`; starting the same `out` again resumes it.
import { z } from 'zod';
import { runTraining, sharedDataDefaults } from '../../train/training-run.js';
import type { JobServiceEvent, TrainJobResult } from '../job-events.js';

const positiveInt = (max: number) => z.number().int().min(1).max(max);

/** A new run, or the run already in `out` resumed (its settings are kept). */
export const trainSpecSchema = z
  .object({
    kind: z.literal('train'),
    task: z.enum(['photo', 'scan', 'inpaint', 'codec']).optional(),
    data: z.array(z.string().min(1)).min(1).max(16).optional(),
    val: z.string().min(1).optional(),
    /** Without data (and not resuming): train on the project's shared data set, as `aez train` does. */
    useSharedData: z.boolean().default(false),
    out: z.string().min(1),
    steps: positiveInt(10_000_000),
    batch: positiveInt(256).optional(),
    patch: z.number().int().min(16).max(512).optional(),
    lr: z.number().min(1e-6).max(1).optional(),
    seed: z.number().int().min(0).max(2 ** 31).optional(),
    valEvery: positiveInt(1e9).optional(),
    checkpointEvery: positiveInt(1e9).optional(),
    widths: z.array(z.number().int().min(1).max(512)).min(1).max(5).optional(),
    blocks: z.array(z.number().int().min(0).max(32)).min(1).max(5).optional(),
    loss: z.enum(['charbonnier', 'mse']).optional(),
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).optional(),
    initFrom: z.string().min(1).optional(),
    workers: positiveInt(64).optional(),
  })
  .strict();

export async function runTrainJob(
  spec: z.output<typeof trainSpecSchema>,
  id: string,
  emit: (e: JobServiceEvent) => void,
  signal: AbortSignal,
  opts: { threads?: number; backend?: string },
): Promise<TrainJobResult> {
  const { kind: _kind, workers, useSharedData, ...train } = spec;
  const r = await runTraining({
    ...train,
    ...(useSharedData && train.task ? { defaults: sharedDataDefaults(train.task) } : {}),
    workers: workers ?? opts.threads,
    backend: opts.backend,
    signal,
    onLog: (line) => emit({ type: 'train-log', jobId: id, line }),
    onStart: (s) => emit({ type: 'train-start', jobId: id, ...s }),
    onProgress: (progress) => emit({ type: 'train-progress', jobId: id, progress }),
    onSample: (s) => emit({ type: 'train-sample', jobId: id, step: s.step, png: new Uint8Array(s.png), width: s.width, height: s.height }),
  });
  return {
    task: r.task,
    outDir: r.outDir,
    modelDir: r.modelDir,
    steps: r.steps,
    total: spec.steps,
    stopped: r.stopped,
    elapsedMs: r.elapsedMs,
    ...(r.best ? { best: r.best } : {}),
    parameters: r.parameters,
  };
}
