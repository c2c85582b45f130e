// aez train --task photo|scan --out DIR [--steps N] [--batch N] [--patch N] [--data DIR...] [--val DIR]
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { PRESETS, type TrainTask } from '../../engine/train/presets.js';
import { loadImageStore } from '../../engine/train/image-store.js';
import { train, type TrainConfig } from '../../engine/train/trainer.js';
import { inpaintValSet, photoValSet, scanValSet } from '../../engine/train/validate.js';
import { DEFAULT_INPAINT_SOURCE } from '../../engine/train/inpaint-source.js';
import type { SourceSpec } from '../../engine/train/sources.js';
import { AezError } from '../../engine/util/errors.js';
import { loadModel } from '../../engine/models/registry.js';
import { interruptSignal, parseNumber, type GlobalOptions } from '../shared.js';

const SHARED = resolve('../shared/data');

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a denoiser or the inpainter on your images; resumes from --out when it holds a checkpoint')
    .requiredOption('-t, --task <task>', 'photo, scan or inpaint')
    .requiredOption('--out <dir>', 'run folder: checkpoints, and the best model in <dir>/model')
    .option('--steps <n>', 'total optimisation steps', '20000')
    .option('--batch <n>', 'patches per step (preset default)')
    .option('--patch <n>', 'patch side in pixels (preset default)')
    .option('--lr <x>', 'peak learning rate (preset default)')
    .option('--seed <n>', 'random seed', '1')
    .option('--workers <n>', 'gradient worker threads (default: all cores)')
    .option('--val-every <n>', 'validate every N steps', '500')
    .option('--checkpoint-every <n>', 'checkpoint every N steps', '100')
    .option('--data <dirs...>', 'training folders (photo: images; scan: a folder with noisy/ and clean/)')
    .option('--val <dir>', 'validation folder (photo: images; scan: defaults to a held-out split of --data)')
    .option('--widths <list>', 'feature widths per level, e.g. 16,32,64 (preset default)')
    .option('--blocks <list>', 'residual blocks per level, e.g. 1,1,2 (preset default)')
    .option('--id <name>', 'model id written into the model', undefined)
    .option('--init-from <model>', 'start from a model\'s weights (photo, scan or a folder) to fine-tune it')
    .option('--json', 'print progress as JSON lines', false)
    .action(async (o: Record<string, string | string[] | boolean | undefined>, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const task = o.task as TrainTask;
      const preset = PRESETS[task];
      if (!preset || !Object.hasOwn(PRESETS, task)) throw new AezError('BAD_ARGUMENT', `--task must be photo or scan (or inpaint), got "${o.task}"`);
      const int = (k: string, min: number, max: number, dflt: number) => (o[k] === undefined ? dflt : Math.round(parseNumber(String(o[k]), `--${k}`, min, max)));
      const list = (k: string) => {
        if (o[k] === undefined) return undefined;
        const v = String(o[k]).split(',').map(Number);
        if (v.length < 1 || v.length > 5 || !v.every((n) => Number.isInteger(n) && n >= 0 && n <= 512)) {
          throw new AezError('BAD_ARGUMENT', `--${k} must be 1 to 5 whole numbers separated by commas, got "${o[k]}"`);
        }
        return v;
      };
      const widths = list('widths') ?? preset.arch.widths;
      const blocks = list('blocks') ?? (widths.length === preset.arch.blocks.length ? preset.arch.blocks : widths.map(() => 1));
      if (blocks.length !== widths.length) throw new AezError('BAD_ARGUMENT', '--blocks needs one count per width');
      if (widths.some((w) => w < 1)) throw new AezError('BAD_ARGUMENT', '--widths must be at least 1');
      const config: TrainConfig = {
        id: (o.id as string) ?? task,
        task: preset.task,
        arch: { ...preset.arch, widths, blocks },
        steps: int('steps', 1, 10_000_000, 20000),
        batch: int('batch', 1, 256, preset.batch),
        patch: int('patch', 16, 512, preset.patch),
        lr: o.lr === undefined ? preset.lr : parseNumber(String(o.lr), '--lr', 1e-6, 1),
        seed: int('seed', 0, 2 ** 31, 1),
        valEvery: int('valEvery', 1, 1e9, 500),
        checkpointEvery: int('checkpointEvery', 1, 1e9, 100),
        ...(preset.inputs ? { inputs: preset.inputs } : {}),
      };
      const multiple = 2 ** config.arch.widths.length;
      if (config.patch % Math.max(8, multiple)) throw new AezError('BAD_ARGUMENT', `--patch must be a multiple of ${Math.max(8, multiple)}`);
      const data = (o.data as string[] | undefined)?.map((d) => resolve(d));
      let source: SourceSpec;
      let val;
      if (task === 'photo') {
        const dirs = data ?? [resolve(SHARED, 'photos/train')];
        process.stderr.write(`loading training photos from ${dirs.join(', ')}…\n`);
        source = { kind: 'photo', store: await loadImageStore(dirs, config.patch), sigmaMax: 55, greyProbability: 0.15 };
        val = await photoValSet(o.val ? resolve(o.val as string) : resolve(SHARED, 'photos/val'));
      } else if (task === 'inpaint') {
        const dirs = data ?? [resolve(SHARED, 'photos/train')];
        const prefill = preset.inputs?.prefill ?? 'telea';
        process.stderr.write(`loading training photos from ${dirs.join(', ')}…\n`);
        source = { kind: 'inpaint', store: await loadImageStore(dirs, config.patch), ...DEFAULT_INPAINT_SOURCE, prefill };
        val = await inpaintValSet(o.val ? resolve(o.val as string) : resolve(SHARED, 'photos/val'), prefill);
      } else {
        const pairs = data?.[0] ?? resolve(SHARED, 'docs/pairs');
        source = { kind: 'scan', pairsRoot: pairs, synthSeed: config.seed, synthFraction: 0.6, synthPages: 24 };
        val = await scanValSet(o.val ? resolve(o.val as string) : pairs);
      }
      const workers = o.workers === undefined ? undefined : int('workers', 1, 64, 1);
      const initFrom = o.initFrom ? await loadModel(o.initFrom as string) : undefined;
      const signal = interruptSignal();
      const result = await train({
        config,
        source,
        val,
        outDir: resolve(o.out as string),
        workers,
        initFrom,
        backend: g.backend,
        signal,
        onLog: (l) => process.stderr.write(l + '\n'),
        onProgress: (p) => {
          if (o.json) return void process.stdout.write(JSON.stringify(p) + '\n');
          if (p.step % 10 === 0 || p.val) {
            const v = p.val ? `  val ${p.val.metric} ${p.val.value.toFixed(p.val.metric === 'psnr' ? 2 : 4)} (best ${p.val.best.toFixed(p.val.metric === 'psnr' ? 2 : 4)})` : '';
            process.stderr.write(`step ${p.step}/${p.total}  loss ${p.loss.toFixed(5)}  lr ${p.lr.toExponential(2)}  ${p.stepsPerSec.toFixed(2)} steps/s${v}\n`);
          }
        },
      });
      process.stderr.write(`${result.stopped ? 'stopped' : 'finished'} at step ${result.steps} after ${(result.elapsedMs / 60000).toFixed(1)} min; best model in ${result.modelDir}\n`);
      if (result.stopped) process.exitCode = 130;
    });
}
