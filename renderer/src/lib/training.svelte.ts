// Train mode's state, kept for the page's whole life (switching modes does not lose a running run): the
// chosen run, the live curves (loss every step, the validation metric at each validation), speed, the
// latest sample preview and log lines, fed by the host's training events.
import type { AezApi, RunSummary, StartedTraining, TrainEvent, TrainInfo, TrainPoint, TrainRequest, TrainTask } from '../../../electron/shared/api.js';

export type TrainStatus = 'idle' | 'starting' | 'running' | 'stopping';

export class Training {
  info = $state<TrainInfo | undefined>(undefined);
  runs = $state<RunSummary[]>([]);
  /** The selected existing run; null while a new run is being set up. */
  run = $state<RunSummary | null>(null);
  status = $state<TrainStatus>('idle');
  jobId = $state<string | undefined>(undefined);
  /** Folder of the run being trained (or last trained). */
  dir = $state<string | undefined>(undefined);
  task = $state<TrainTask | undefined>(undefined);
  lossX = $state<number[]>([]);
  lossY = $state<number[]>([]);
  valX = $state<number[]>([]);
  valY = $state<number[]>([]);
  metric = $state<'psnr' | 'rmse' | 'rd' | undefined>(undefined);
  last = $state<TrainPoint | undefined>(undefined);
  best = $state<{ step: number; metric: number } | undefined>(undefined);
  sample = $state<{ dataUrl: string; step: number } | undefined>(undefined);
  log = $state<string[]>([]);
  parameters = $state<number | undefined>(undefined);
  /** How the last run ended, in words. */
  outcome = $state<{ kind: 'stopped' | 'finished' | 'failed'; text: string } | undefined>(undefined);
  hasModel = $state(false);

  constructor(private readonly api: AezApi) {
    api.onTrainEvent((e) => this.onEvent(e));
  }

  async refresh(): Promise<void> {
    this.info = await this.api.trainInfo();
    this.runs = await this.api.listRuns();
    const live = this.runs.find((r) => r.jobId);
    if (live && !this.jobId) {
      // A run started elsewhere (another window, before a reload): follow it.
      this.show(live);
      this.jobId = live.jobId;
      this.status = 'running';
    }
  }

  /** Shows a run's curves and sample from its saved history (not running). */
  show(r: RunSummary | null): void {
    this.run = r;
    if (this.status !== 'idle') return;
    this.outcome = undefined;
    this.log = [];
    this.dir = r?.dir;
    this.task = r?.task;
    const h = r?.history ?? [];
    this.lossX = h.map((p) => p.step);
    this.lossY = h.map((p) => p.loss);
    const v = h.filter((p) => p.val);
    this.valX = v.map((p) => p.step);
    this.valY = v.map((p) => p.val!.value);
    this.metric = r?.metric;
    this.last = h.at(-1);
    this.best = r?.best;
    this.sample = r?.sample ? { dataUrl: r.sample, step: r.best?.step ?? r.step } : undefined;
    this.hasModel = !!r?.hasModel;
    this.parameters = undefined;
  }

  async start(req: TrainRequest): Promise<StartedTraining> {
    if (this.status !== 'idle') throw new Error('A run is already in progress.');
    this.status = 'starting';
    this.outcome = undefined;
    this.log = [];
    try {
      const s = await this.api.startTraining(req);
      this.jobId = s.jobId;
      this.dir = s.dir;
      return s;
    } catch (e) {
      this.status = 'idle';
      throw e;
    }
  }

  async stop(): Promise<void> {
    if (!this.jobId || this.status !== 'running') return;
    this.status = 'stopping';
    await this.api.stopTraining(this.jobId);
  }

  private onEvent(e: TrainEvent): void {
    // Events of a run started before this page knew its id (the reply and the stream race) are taken too.
    if (this.jobId && e.jobId !== this.jobId) return;
    if (!this.jobId && this.status !== 'starting') return;
    this.jobId = e.jobId;
    if (e.type === 'start') {
      this.status = 'running';
      this.dir = e.dir;
      this.task = e.task;
      this.parameters = e.parameters;
      // A resumed run brings its curve so far (one point per validation).
      this.lossX = e.history.map((p) => p.step);
      this.lossY = e.history.map((p) => p.loss);
      const v = e.history.filter((p) => p.val);
      this.valX = v.map((p) => p.step);
      this.valY = v.map((p) => p.val!.value);
      this.metric = v[0]?.val?.metric;
      this.last = e.history.at(-1) ?? { step: e.step, total: e.total, loss: NaN, lr: 0, stepsPerSec: 0, elapsedMs: 0 };
      this.last = { ...this.last, total: e.total };
      void this.api.listRuns().then((r) => (this.runs = r));
    } else if (e.type === 'progress') {
      const p = e.point;
      this.status = this.status === 'stopping' ? 'stopping' : 'running';
      this.lossX = [...this.lossX, p.step];
      this.lossY = [...this.lossY, p.loss];
      if (p.val) {
        this.valX = [...this.valX, p.step];
        this.valY = [...this.valY, p.val.value];
        this.metric = p.val.metric;
        this.hasModel = true;
        if (!this.best || p.val.best !== this.best.metric) this.best = { step: p.step, metric: p.val.best };
      }
      this.last = p;
    } else if (e.type === 'sample') {
      this.sample = { dataUrl: e.dataUrl, step: e.step };
    } else if (e.type === 'log') {
      this.log = [...this.log.slice(-7), e.line];
    } else if (e.type === 'done') {
      this.status = 'idle';
      this.jobId = undefined;
      if (e.ok) {
        if (e.best) this.best = e.best;
        this.outcome = e.stopped
          ? { kind: 'stopped', text: `Stopped at step ${e.step} of ${e.total}. Resume goes on from there.` }
          : { kind: 'finished', text: `Finished: ${e.step} steps in ${formatDuration(e.elapsedMs / 1000)}.` };
      } else {
        this.outcome = { kind: 'failed', text: e.error.message };
      }
      void this.api.listRuns().then((r) => {
        this.runs = r;
        const mine = r.find((x) => x.dir === e.dir);
        if (mine) {
          this.run = mine;
          this.hasModel = mine.hasModel;
        }
      });
    }
  }

  /** The engine side is gone: a run in hand ended with it (its last checkpoint resumes it later). */
  connectionLost(message: string): void {
    if (this.status === 'idle') return;
    this.status = 'idle';
    this.jobId = undefined;
    this.outcome = { kind: 'failed', text: message };
  }
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '–';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
