// The transport-independent side of AezApi: Electron's IPC handlers and the twin's HTTP routes both call
// this, so the two hosts behave the same. Every method takes unknown input and validates it first.
import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import type { AddResult, CodecInfo, CompressEstimate, DoctorReport, JobEvent, Preview, QueueSummary, Settings, StartedJob } from '../shared/api.js';
import { JobService, type JobHandle } from '../engine/jobs/job-service.js';
import type { ItemResult } from '../engine/batch/run-batch.js';
import { errorMessage } from '../engine/util/errors.js';
import { doctorReport } from '../engine/diagnostics/doctor-report.js';
import { InputRegistry } from './inputs.js';
import { freeOutputPath } from '../engine/batch/free-output-path.js';
import { readPreview } from './preview.js';
import { addPathsSchema, estimateRequestSchema, fileNameSchema, HostError, jobIdSchema, jobRequestSchema, parseArg, previewPathSchema } from './schemas.js';
import { codecInfo, estimateCompression } from './compression.js';
import { CodecWorkerClient } from '../engine/codec/codec-client.js';
import type { SettingsStore } from './settings-store.js';
import { TrainingHost } from './training.js';
import { ExplorerHost } from './explorer.js';
import { describeInstalledModels, listInstalledModels, modelsRoot } from '../engine/models/registry.js';

export interface HostOptions {
  settings: SettingsStore;
  threads?: number;
  backend?: string;
  /** A shared job queue (Redis URL) whose status the app shows (`aez serve --redis`). */
  redis?: string;
}

export class AezHost {
  /** Emits 'job' with a JobEvent for every denoise job and 'train' with a TrainEvent for training. */
  readonly events = new EventEmitter();
  readonly training: TrainingHost;
  readonly explorer: ExplorerHost;
  readonly inputs = new InputRegistry();
  private readonly jobs: JobService;
  /** The codec's worker thread: compress/restore jobs, size estimates and .aez previews. */
  private readonly codec: CodecWorkerClient;
  private readonly running = new Map<string, JobHandle>();
  private readonly settings: SettingsStore;
  private readonly backend?: string;
  private readonly threads?: number;
  private doctorCache?: Promise<DoctorReport>;

  private readonly redis?: string;

  constructor(opts: HostOptions) {
    this.redis = opts.redis;
    this.settings = opts.settings;
    this.backend = opts.backend;
    this.threads = opts.threads;
    this.codec = new CodecWorkerClient({ backend: opts.backend, threads: opts.threads });
    this.explorer = new ExplorerHost({ backend: opts.backend, threads: opts.threads });
    this.jobs = new JobService({ threads: opts.threads, backend: opts.backend, codec: this.codec });
    this.training = new TrainingHost({ settings: opts.settings, jobs: this.jobs });
    this.training.events.on('train', (e) => this.events.emit('train', e));
  }

  async doctor(): Promise<DoctorReport> {
    // Report the worker threads this host was started with, not just what the machine offers.
    this.doctorCache ??= doctorReport(this.backend).then((r) => ({ ...r, threads: this.threads ?? r.threads }) as DoctorReport);
    // Models are listed afresh each time: an exported model appears without a restart.
    return { ...(await this.doctorCache), models: await this.installedModels() };
  }

  private installedModels(): Promise<DoctorReport['models']> {
    return describeInstalledModels();
  }

  getSettings(): Settings {
    return this.settings.get();
  }

  setSettings(raw: unknown): Promise<Settings> {
    return this.settings.update(raw);
  }

  addPaths(raw: unknown): Promise<AddResult> {
    return this.inputs.addPaths(parseArg(addPathsSchema, raw, 'paths'));
  }

  importBytes(rawName: unknown, bytes: Uint8Array): Promise<AddResult> {
    return this.inputs.importBytes(parseArg(fileNameSchema, rawName, 'file name'), bytes);
  }

  codecInfo(): Promise<CodecInfo | null> {
    return codecInfo();
  }

  estimateCompression(raw: unknown): Promise<CompressEstimate> {
    const req = parseArg(estimateRequestSchema, raw, 'estimate');
    if (!this.inputs.isKnown(req.input)) throw new HostError('BAD_ARGUMENT', `${req.input} was not added to AEZ; add it by dropping or opening it first.`);
    return estimateCompression(this.codec, req).catch((e: unknown) => {
      throw new HostError((e as { code?: string })?.code ?? 'INTERNAL', this.inputs.humanise(errorMessage(e)));
    });
  }

  async startJob(raw: unknown): Promise<StartedJob> {
    const req = parseArg(jobRequestSchema, raw, 'job');
    if (!this.inputs.isKnown(req.input)) throw new HostError('BAD_ARGUMENT', `${req.input} was not added to AEZ; add it by dropping or opening it first.`);
    const isAez = req.input.toLowerCase().endsWith('.aez');
    if (req.kind === 'restore' && !isAez) throw new HostError('BAD_ARGUMENT', `${this.inputs.describe(req.input)} is not an .aez file; Restore takes the .aez files AEZ writes.`);
    if (req.kind === 'inpaint' && !this.inputs.isKnown(req.mask)) throw new HostError('BAD_ARGUMENT', `The mask ${req.mask} was not added to AEZ; paint it or import it first.`);
    if (req.kind !== 'restore' && isAez) throw new HostError('BAD_ARGUMENT', `${this.inputs.describe(req.input)} is an .aez file; restore it first (Restore mode).`);
    if (req.kind === 'denoise') {
      const model = listInstalledModels().find((m) => m.id === req.model);
      if (!model) throw new HostError('MODEL_NOT_FOUND', `The model "${req.model}" is not installed (looked in ${modelsRoot()}). Pick another model.`);
    }
    const { outputDir } = this.settings.get();
    try {
      await mkdir(outputDir, { recursive: true });
    } catch (e) {
      throw new HostError('OUTPUT_UNWRITABLE', `Cannot create the output folder ${outputDir} (${errorMessage(e)}). Choose another one in Settings.`);
    }
    const name = this.inputs.describe(req.input).split(/[\\/]/).pop()!;
    let handle: JobHandle<ItemResult[]>;
    let output: string;
    if (req.kind === 'denoise') {
      output = await freeOutputPath(outputDir, name, 'denoised', req.format);
      handle = this.jobs.start({ kind: 'denoise', inputs: [req.input], output, model: req.model, sigma: req.sigma ?? undefined, format: req.format });
    } else if (req.kind === 'compress') {
      output = await freeOutputPath(outputDir, name, '', 'aez');
      handle = this.jobs.start({ kind: 'compress', inputs: [req.input], output, ...(req.targetBytes !== null ? { bytes: req.targetBytes } : { quality: req.quality }) });
    } else if (req.kind === 'inpaint') {
      output = await freeOutputPath(outputDir, name, 'inpainted', req.format);
      handle = this.jobs.start({ kind: 'inpaint', inputs: [req.input], output, mask: req.mask, format: req.format });
    } else {
      output = await freeOutputPath(outputDir, name, 'restored', req.format);
      handle = this.jobs.start({ kind: 'decompress', inputs: [req.input], output, format: req.format });
    }
    this.running.set(handle.id, handle);
    const emit = (e: JobEvent) => this.events.emit('job', e);
    handle.events.on('event', (e: { type: string; fraction?: number; code?: string; message?: string; results?: ItemResult[]; cancelled?: boolean }) => {
      if (e.type === 'item-progress') emit({ type: 'progress', jobId: handle.id, fraction: e.fraction ?? 0 });
    });
    const t0 = performance.now();
    handle.done.then(
      (results) => this.finish(handle.id, results[0], t0, output),
      (e: unknown) => this.finish(handle.id, undefined, t0, output, e),
    );
    return { jobId: handle.id, output, outputName: output.split(/[\\/]/).pop()! };
  }

  async cancelJob(raw: unknown): Promise<void> {
    const id = parseArg(jobIdSchema, raw, 'job id');
    this.running.get(id)?.cancel();
  }

  async readPreview(raw: unknown): Promise<Preview> {
    const path = parseArg(previewPathSchema, raw, 'path');
    if (!this.inputs.isKnown(path)) throw new HostError('BAD_ARGUMENT', `${path} is neither an added input nor an output of this session.`);
    try {
      return await readPreview(path, this.inputs.describe(path), this.codec);
    } catch (e) {
      throw new HostError('PREVIEW', this.inputs.humanise(errorMessage(e)));
    }
  }

  /** The shared queue's status, or null when the host was started without one. */
  async queueStatus(): Promise<QueueSummary | null> {
    const url = this.redis;
    if (!url) return null;
    const [{ connectRedis, describeRedis }, { queueStatus }] = await Promise.all([import('../engine/queue/connection.js'), import('../engine/queue/queue-admin.js')]);
    const conn = await connectRedis(url);
    try {
      return { server: describeRedis(url), ...(await queueStatus(conn)) };
    } finally {
      conn.disconnect();
    }
  }

  async close(): Promise<void> {
    this.training.stopAll();
    this.explorer.dispose();
    await this.jobs.close();
    await this.inputs.dispose();
  }

  private finish(jobId: string, result: ItemResult | undefined, t0: number, output: string, failure?: unknown): void {
    this.running.delete(jobId);
    const seconds = result?.seconds ?? (performance.now() - t0) / 1000;
    let e: JobEvent;
    if (result?.ok) {
      this.inputs.rememberOutput(output);
      e = { type: 'done', jobId, ok: true, output, seconds, details: result.details ?? {} };
    } else {
      const code = result?.error?.code ?? (failure as { code?: string } | undefined)?.code ?? 'INTERNAL';
      const message = this.inputs.humanise(result?.error?.message ?? errorMessage(failure));
      e = { type: 'done', jobId, ok: false, cancelled: code === 'CANCELLED', error: { code, message }, seconds };
    }
    this.events.emit('job', e);
  }
}
