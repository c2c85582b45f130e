// aez train --task photo|scan|inpaint|codec --out DIR [--steps N] [--batch N] [--patch N] [--data DIR...] [--val DIR]
// The set-up (folders, validation split, resuming) is engine/train/training-run.ts, shared with the app's Train mode.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { PRESETS, type TrainTask } from '../../engine/train/presets.js';
import type { PixelLoss } from '../../engine/train/grad-core.js';
import { AezError } from '../../engine/util/errors.js';
import { interruptSignal, parseNumber, type GlobalOptions } from '../shared.js';
import type { JobServiceEvent } from '../../engine/jobs/job-events.js';

/** The trainable tasks, for the help text and the error that names them. */
const TASK_NAMES = Object.keys(PRESETS).join(', ');

function lossOption(v: unknown): PixelLoss | undefined {
  if (v === undefined) return undefined;
  if (v !== 'charbonnier' && v !== 'mse') throw new AezError('BAD_ARGUMENT', `--loss must be charbonnier or mse, got "${String(v)}"`);
  return v;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a denoiser, the inpainter or the codec on your images; resumes from --out when it holds a checkpoint')
    .requiredOption('-t, --task <task>', `one of: ${TASK_NAMES}`)
    .requiredOption('--out <dir>', 'run folder: checkpoints, and the best model in <dir>/model')
    .option('--steps <n>', 'total optimisation steps', '20000')
    .option('--batch <n>', 'patches per step (preset default)')
    .option('--patch <n>', 'patch side in pixels (preset default)')
    .option('--lr <x>', 'peak learning rate (preset default)')
    .option('--seed <n>', 'random seed (default 1)')
    .option('--workers <n>', 'gradient worker threads (default: all cores)')
    .option('--val-every <n>', 'validate every N steps (default 500)')
    .option('--checkpoint-every <n>', 'checkpoint every N steps (default 100)')
    .option('--data <dirs...>', 'training folders (photo: images; scan: a folder with noisy/ and clean/)')
    .option('--val <dir>', 'validation folder (photo: images; default: images held out of --data; scan: a held-out split of --data)')
    .option('--widths <list>', 'feature widths per level, e.g. 16,32,64 (preset default)')
    .option('--blocks <list>', 'residual blocks per level, e.g. 1,1,2 (preset default)')
    .option('--loss <kind>', 'pixel loss: charbonnier (default; sharper denoising) or mse (what PSNR rewards where the answer is ambiguous, e.g. inpainting)')
    .option('--id <name>', 'model id written into the model', undefined)
    .option('--init-from <model>', 'start from a model\'s weights (an installed model id or a folder) to fine-tune it')
    .option('--json', 'print progress as JSON lines', false)
    .action(async (o: Record<string, string | string[] | boolean | undefined>, cmd: Command) => {
      const { JobService } = await import('../../engine/jobs/job-service.js');
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const task = o.task as TrainTask;
      if (!Object.hasOwn(PRESETS, task)) throw new AezError('BAD_ARGUMENT', `--task must be one of ${TASK_NAMES}, got "${o.task}"`);
      const int = (k: string, min: number, max: number) => (o[k] === undefined ? undefined : Math.round(parseNumber(String(o[k]), `--${k}`, min, max)));
      const list = (k: string) => {
        if (o[k] === undefined) return undefined;
        const v = String(o[k]).split(',').map(Number);
        if (v.length < 1 || v.length > 5 || !v.every((n) => Number.isInteger(n) && n >= 0 && n <= 512)) {
          throw new AezError('BAD_ARGUMENT', `--${k} must be 1 to 5 whole numbers separated by commas, got "${o[k]}"`);
        }
        return v;
      };
      const widths = list('widths');
      if (widths?.some((w) => w < 1)) throw new AezError('BAD_ARGUMENT', '--widths must be at least 1');
      // Through the job service, as the app trains: the same spec checks, events and cancel (a checkpoint first).
      const service = new JobService({ threads: g.threads, backend: g.backend });
      const job = service.start({
        kind: 'train',
        task,
        out: o.out as string,
        data: (o.data as string[] | undefined)?.map((d) => resolve(d)),
        val: o.val === undefined ? undefined : resolve(o.val as string),
        useSharedData: true,
        steps: int('steps', 1, 10_000_000) ?? 20000,
        batch: int('batch', 1, 256),
        patch: int('patch', 16, 512),
        lr: o.lr === undefined ? undefined : parseNumber(String(o.lr), '--lr', 1e-6, 1),
        seed: int('seed', 0, 2 ** 31),
        valEvery: int('valEvery', 1, 1e9),
        checkpointEvery: int('checkpointEvery', 1, 1e9),
        widths,
        blocks: list('blocks'),
        loss: lossOption(o.loss),
        id: o.id as string | undefined,
        initFrom: o.initFrom as string | undefined,
        workers: int('workers', 1, 64),
      });
      interruptSignal(() => job.cancel());
      job.events.on('event', (e: JobServiceEvent) => {
        if (e.type === 'train-log') process.stderr.write(e.line + '\n');
        else if (e.type === 'train-progress') {
          const p = e.progress;
          if (o.json) return void process.stdout.write(JSON.stringify(p) + '\n');
          if (p.step % 10 === 0 || p.val) {
            const v = p.val ? `  val ${p.val.metric} ${p.val.value.toFixed(p.val.metric === 'psnr' ? 2 : 4)} (best ${p.val.best.toFixed(p.val.metric === 'psnr' ? 2 : 4)})` : '';
            process.stderr.write(`step ${p.step}/${p.total}  loss ${p.loss.toFixed(5)}  lr ${p.lr.toExponential(2)}  ${p.stepsPerSec.toFixed(2)} steps/s${v}\n`);
          }
        }
      });
      try {
        const result = await job.done;
        process.stderr.write(`${result.stopped ? 'stopped' : 'finished'} at step ${result.steps} after ${(result.elapsedMs / 60000).toFixed(1)} min; best model in ${result.modelDir}\n`);
        if (result.stopped) process.exitCode = 130;
      } finally {
        await service.close();
      }
    });
}
