// Train mode on the engine, for both hosts: start, stop and resume training runs (engine `train` jobs), list
// the runs, and export a run's best model under a new name — into the models folder, where Denoise finds
// it, or into a folder of the user's choice — never replacing a model that exists. Every argument is
// validated here; folders are paths on the machine running the host (in the twin, the `aez serve` one).
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { ExportResult, RunSummary, StartedTraining, TrainEvent, TrainInfo, TrainTaskInfo } from '../shared/api.js';
import type { JobHandle, JobService, TrainJobResult } from '../engine/jobs/job-service.js';
import { loadModelDir } from '../engine/models/model-file.js';
import { listInstalledModels, modelsRoot } from '../engine/models/registry.js';
import { PRESETS, type TrainTask } from '../engine/train/presets.js';
import { listRuns, readRunInfo, TRAIN_TASKS, type RunInfo } from '../engine/train/training-run.js';
import { TEMP_PREFIX } from '../engine/util/atomic-write.js';
import { errorMessage } from '../engine/util/errors.js';
import { exportRequestSchema, HostError, jobIdSchema, parseArg, runRefSchema, trainRequestSchema } from './schemas.js';
import type { SettingsStore } from './settings-store.js';

/** The tasks Train mode offers: all the trainer has. */
const APP_TASKS: readonly TrainTask[] = TRAIN_TASKS;

const TASK_TEXT: Record<TrainTask, Omit<TrainTaskInfo, 'id' | 'defaults'>> = {
  photo: {
    label: 'Photo',
    description: 'a blind denoiser for colour and grey photos (noise is added while training)',
    dataHint: 'a folder of clean photos (PNG, JPEG, WebP, TIFF…), each at least as large as the training patch',
  },
  scan: {
    label: 'Scan',
    description: 'a cleaner for scanned pages (your pairs plus synthetic degraded pages)',
    dataHint: 'a folder holding noisy/ and clean/ sub-folders with the same file names (a scan and its clean version)',
  },
  inpaint: {
    label: 'Inpaint',
    description: 'fills masked holes in photos (holes are drawn at random while training)',
    dataHint: 'a folder of clean photos, each at least as large as the training patch',
  },
  codec: {
    label: 'Codec',
    description: 'the image codec of Compress, all six quality levels at once (validated on rate + λ·distortion, lower is better)',
    dataHint: 'a folder of clean photos, each at least as large as the training patch (128 px by default)',
  },
};

export interface TrainingHostOptions {
  settings: SettingsStore;
  jobs: JobService;
  /** Called when the installed models change (an export into the models folder). */
  onModelsChanged?: () => void;
}

export class TrainingHost {
  /** Emits 'train' with a TrainEvent. */
  readonly events = new EventEmitter();
  private running: { handle: JobHandle<TrainJobResult>; dir: string } | undefined;

  constructor(private readonly opts: TrainingHostOptions) {}

  info(): TrainInfo {
    return {
      tasks: APP_TASKS.map((id) => {
        const arch = PRESETS[id].arch;
        return { id, ...TASK_TEXT[id], defaults: { batch: PRESETS[id].batch, patch: PRESETS[id].patch, widths: arch.kind === 'unet' ? arch.widths : [], blocks: arch.kind === 'unet' ? arch.blocks : [] } };
      }),
      runsDir: this.opts.settings.get().runsDir,
      modelsDir: modelsRoot(),
    };
  }

  /** A run reference (name or absolute folder) as a folder. */
  private runDir(raw: unknown): string {
    const ref = parseArg(runRefSchema, raw, 'run');
    return isAbsolute(ref) ? resolve(ref) : join(this.opts.settings.get().runsDir, ref);
  }

  async listRuns(): Promise<RunSummary[]> {
    return Promise.all((await listRuns(this.opts.settings.get().runsDir)).map((r) => this.summary(r)));
  }

  async readRun(raw: unknown): Promise<RunSummary | null> {
    const info = await readRunInfo(this.runDir(raw));
    return info ? this.summary(info) : null;
  }

  private async summary(r: RunInfo): Promise<RunSummary> {
    const png = await readFile(join(r.dir, 'sample.png')).catch(() => undefined);
    const { val: _val, ...rest } = r;
    return {
      ...rest,
      ...(png ? { sample: `data:image/png;base64,${png.toString('base64')}` } : {}),
      ...(this.running && this.running.dir === r.dir ? { jobId: this.running.handle.id } : {}),
    };
  }

  async start(raw: unknown): Promise<StartedTraining> {
    const req = parseArg(trainRequestSchema, raw, 'training request');
    const dir = this.runDir(req.run);
    if (this.running) {
      throw new HostError('BUSY', `A training run is already in progress (${this.running.dir}). Stop it first; one run at a time uses all the cores.`);
    }
    if (req.initFrom && !listInstalledModels().some((m) => m.id === req.initFrom)) {
      throw new HostError('MODEL_NOT_FOUND', `The model "${req.initFrom}" is not installed (looked in ${modelsRoot()}).`);
    }
    if (req.widths && req.blocks && req.widths.length !== req.blocks.length) throw new HostError('BAD_ARGUMENT', 'blocks needs one count per width.');
    const prior = await readRunInfo(dir);
    if (!prior) {
      // A new run: never into a folder that holds other files.
      const entries = await readdir(dir).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
      if (entries.some((n) => !n.startsWith('.'))) {
        throw new HostError('BAD_ARGUMENT', `${dir} already holds files and is not an AEZ training run. Choose a new run name or an empty folder.`);
      }
      if (!req.task) throw new HostError('BAD_ARGUMENT', 'Choose a task (photo or scan) for the new run.');
      if (!req.data) throw new HostError('BAD_ARGUMENT', 'Choose the data folder to train on.');
      try {
        await mkdir(dir, { recursive: true });
      } catch (e) {
        throw new HostError('OUTPUT_UNWRITABLE', `Cannot create the run folder ${dir} (${errorMessage(e)}). Choose another runs folder.`);
      }
    } else if (req.task && prior.task && req.task !== prior.task) {
      throw new HostError('BAD_ARGUMENT', `${dir} holds a ${prior.task} run; choose the task ${prior.task} to resume it, or a new run name.`);
    }
    const handle = this.opts.jobs.start({
      kind: 'train',
      out: dir,
      steps: req.steps,
      ...(req.task ? { task: req.task } : {}),
      ...(req.data ? { data: req.data } : {}),
      ...(req.valEvery ? { valEvery: req.valEvery } : {}),
      ...(req.batch ? { batch: req.batch } : {}),
      ...(req.patch ? { patch: req.patch } : {}),
      ...(req.widths ? { widths: req.widths, blocks: req.blocks ?? req.widths.map(() => 1) } : {}),
      ...(req.initFrom ? { initFrom: req.initFrom } : {}),
    });
    this.running = { handle, dir };
    const jobId = handle.id;
    const emit = (e: TrainEvent) => this.events.emit('train', e);
    handle.events.on('event', (e: import('../engine/jobs/job-service.js').JobServiceEvent) => {
      if (e.type === 'train-start') {
        emit({ type: 'start', jobId, dir, task: e.task, step: e.step, total: e.total, parameters: e.parameters, workers: e.workers, resumed: e.resumed, history: e.history });
      } else if (e.type === 'train-progress') {
        emit({ type: 'progress', jobId, point: e.progress });
      } else if (e.type === 'train-sample') {
        emit({ type: 'sample', jobId, step: e.step, dataUrl: `data:image/png;base64,${Buffer.from(e.png).toString('base64')}`, width: e.width, height: e.height });
      } else if (e.type === 'train-log') {
        emit({ type: 'log', jobId, line: e.line });
      }
    });
    handle.done.then(
      (r) => {
        this.running = undefined;
        emit({ type: 'done', jobId, dir, ok: true, stopped: r.stopped, step: r.steps, total: r.total, ...(r.best ? { best: r.best } : {}), elapsedMs: r.elapsedMs });
      },
      async (e: unknown) => {
        this.running = undefined;
        // A new run that failed before writing anything leaves no empty folder behind.
        if (!prior) await rmdir(dir).catch(() => {});
        const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'INTERNAL';
        emit({ type: 'done', jobId, dir, ok: false, error: { code, message: errorMessage(e) } });
      },
    );
    return { jobId, run: req.run, dir };
  }

  async stop(raw: unknown): Promise<void> {
    const id = parseArg(jobIdSchema, raw, 'job id');
    if (this.running?.handle.id === id) this.running.handle.cancel();
  }

  async exportModel(raw: unknown): Promise<ExportResult> {
    const req = parseArg(exportRequestSchema, raw, 'export request');
    const runDir = this.runDir(req.run);
    const source = join(runDir, 'model');
    if (!existsSync(join(source, 'model.json'))) {
      throw new HostError('MODEL_NOT_FOUND', `The run ${runDir} has no model yet: it is saved at the first validation. Train until a validation value shows, then export.`);
    }
    const installed = req.dir === undefined;
    const parent = req.dir ?? modelsRoot();
    // A folder that does not exist yet is made (parents too), as the CLI does for -o.
    await mkdir(parent, { recursive: true }).catch((e: unknown) => {
      throw new HostError('OUTPUT_UNWRITABLE', `Cannot create the folder ${parent}: ${(e as Error).message}. Choose a folder you can write to.`);
    });
    const st = await stat(parent).catch(() => undefined);
    if (!st?.isDirectory()) throw new HostError('OUTPUT_UNWRITABLE', `${parent} is not a folder. Choose a folder to export into.`);
    const target = join(parent, req.name);
    if (existsSync(target)) {
      throw new HostError('OUTPUT_EXISTS', `A ${installed ? 'model' : 'folder'} named "${req.name}" already exists in ${parent}; AEZ never replaces one. Choose another name.`);
    }
    // Copy into a temporary folder beside the target, check it loads (the trainer may be replacing the
    // model as we copy: then copy again), add a model card, and rename into place.
    const tmp = join(parent, `${TEMP_PREFIX}${req.name}-${process.pid}-${Date.now()}`);
    try {
      let model;
      for (let attempt = 0; ; attempt++) {
        await rm(tmp, { recursive: true, force: true });
        await cp(source, tmp, { recursive: true, errorOnExist: true, force: false });
        try {
          model = await loadModelDir(tmp);
          break;
        } catch (e) {
          if (attempt >= 2) throw e;
        }
      }
      const info = await readRunInfo(runDir);
      const t = model.manifest.training as { step?: number; metric?: number; metricName?: string } | undefined;
      const card = [
        `# Model card: \`${req.name}\``,
        '',
        `- Task: ${model.manifest.task}`,
        model.manifest.arch.kind === 'unet'
          ? `- Architecture: residual U-Net, widths ${model.manifest.arch.widths.join('/')}, blocks ${model.manifest.arch.blocks.join('/')}, ${model.manifest.arch.channels === 1 ? 'grey' : 'colour'}.`
          : `- Architecture: mean-scale hyperprior codec, N=${model.manifest.arch.n}, M=${model.manifest.arch.m}, ${model.manifest.arch.lambdas.length} quality levels.`,
        `- Trained by AEZ's Train mode in ${runDir}${info?.data ? ` on ${info.data.join(', ')}` : ''}.`,
        t?.step !== undefined ? `- Best validation at step ${t.step}${info?.total ? ` of ${info.total}` : ''}: ${t.metricName === 'rmse' ? 'RMSE' : 'PSNR'} ${t.metricName === 'rmse' ? t.metric?.toFixed(4) : `${t.metric?.toFixed(2)} dB`}.` : '',
        `- Exported ${new Date().toISOString()}.`,
        '',
      ].filter((l, i, a) => l !== '' || a[i - 1] !== '');
      await writeFile(join(tmp, 'MODEL_CARD.md'), card.join('\n'));
      if (existsSync(target)) throw new HostError('OUTPUT_EXISTS', `A model named "${req.name}" appeared in ${parent} meanwhile; choose another name.`);
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true }).catch(() => {});
      if (e instanceof HostError) throw e;
      const code = (e as NodeJS.ErrnoException)?.code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new HostError('OUTPUT_UNWRITABLE', `Cannot write into ${parent} (${code}).${installed ? ' Export to a folder of your own instead.' : ' Choose a folder you can write to.'}`);
      }
      throw new HostError(typeof code === 'string' ? 'OUTPUT_UNWRITABLE' : 'INTERNAL', `Could not export the model to ${target}: ${errorMessage(e)}`);
    }
    if (installed) this.opts.onModelsChanged?.();
    return { dir: target, name: req.name, installed };
  }

  /** Stops a running run (it checkpoints) — for shutting the host down. */
  stopAll(): void {
    this.running?.handle.cancel();
  }
}
