// The batch queue: one engine job per file, run one after another (each job already uses every worker
// thread), with per-item progress, cancel and retry. Reactive state for the components (Svelte runes).
import type { AezApi, InputFile, ItemError, JobEvent, JobRequest, JobSettings } from '../../../electron/shared/api.js';

export type ItemState = 'ready' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface QueueItem {
  key: number;
  input: InputFile;
  state: ItemState;
  progress: number;
  request?: JobSettings;
  jobId?: string;
  output?: string;
  outputName?: string;
  seconds?: number;
  details?: Record<string, unknown>;
  error?: ItemError;
}

export class Queue {
  items = $state<QueueItem[]>([]);
  selectedKey = $state<number | undefined>(undefined);
  private nextKey = 1;
  private pumping = false;
  /** Events can overtake the startJob reply (the twin's event stream is a separate connection). */
  private early = new Map<string, JobEvent[]>();
  /** Resolves the pump's wait for the running item. */
  private waiting = new Map<number, () => void>();
  /** A startJob call is in flight. */
  private starting = false;

  constructor(private readonly api: AezApi) {
    api.onJobEvent((e) => this.onEvent(e));
  }

  get selected(): QueueItem | undefined {
    return this.items.find((i) => i.key === this.selectedKey);
  }

  get busy(): boolean {
    return this.items.some((i) => i.state === 'running' || i.state === 'queued');
  }

  get counts(): Record<ItemState, number> {
    const c: Record<ItemState, number> = { ready: 0, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
    for (const i of this.items) c[i.state]++;
    return c;
  }

  add(files: InputFile[]): void {
    const known = new Set(this.items.filter((i) => i.state === 'ready').map((i) => i.input.path));
    for (const f of files) {
      if (known.has(f.path)) continue;
      const key = this.nextKey++;
      this.items.push({ key, input: f, state: 'ready', progress: 0 });
      this.selectedKey ??= key;
    }
  }

  /** Queue every file not yet processed with these settings, and run. */
  startAll(request: JobSettings): void {
    for (const i of this.items) if (i.state === 'ready') Object.assign(i, { state: 'queued', request, progress: 0 });
    void this.pump();
  }

  /** Queue one ready (or finished) item with its own settings (Inpaint: each image has its own mask), and run. */
  startOne(key: number, request: JobSettings): void {
    const i = this.items.find((x) => x.key === key);
    if (!i || i.state === 'running' || i.state === 'queued') return;
    Object.assign(i, { state: 'queued', request, progress: 0, error: undefined, jobId: undefined, output: undefined, outputName: undefined });
    void this.pump();
  }

  retry(key: number, request: JobSettings): void {
    const i = this.items.find((x) => x.key === key);
    if (!i || (i.state !== 'failed' && i.state !== 'cancelled')) return;
    // An inpainting retry keeps the item's own mask (the page-wide request has none).
    const own = request.kind === 'inpaint' && !request.mask ? i.request : undefined;
    Object.assign(i, { state: 'queued', request: own ?? request, progress: 0, error: undefined, jobId: undefined });
    void this.pump();
  }

  cancel(key: number): void {
    const i = this.items.find((x) => x.key === key);
    if (!i) return;
    if (i.state === 'queued') Object.assign(i, { state: 'cancelled', error: { code: 'CANCELLED', message: 'Cancelled before it started.' } });
    else if (i.state === 'running' && i.jobId) void this.api.cancelJob(i.jobId);
  }

  cancelAll(): void {
    for (const i of this.items) this.cancel(i.key);
  }

  /** The engine side is gone: what was running or waiting failed with `message`; the list stays as it was. */
  failInFlight(message: string): void {
    for (const i of this.items) {
      if (i.state === 'running' || i.state === 'queued') this.settle(i, { state: 'failed', error: { code: 'DISCONNECTED', message } });
    }
  }

  remove(key: number): void {
    const idx = this.items.findIndex((x) => x.key === key);
    if (idx < 0 || this.items[idx].state === 'running' || this.items[idx].state === 'queued') return;
    this.items.splice(idx, 1);
    if (this.selectedKey === key) this.selectedKey = this.items[Math.min(idx, this.items.length - 1)]?.key;
  }

  clearFinished(): void {
    this.items = this.items.filter((i) => i.state !== 'done' && i.state !== 'failed' && i.state !== 'cancelled');
    if (!this.items.some((i) => i.key === this.selectedKey)) this.selectedKey = this.items[0]?.key;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let next = this.nextQueued(); next; next = this.nextQueued()) {
        const item = next;
        item.state = 'running';
        item.progress = 0;
        const finished = new Promise<void>((resolve) => this.waiting.set(item.key, resolve));
        try {
          this.starting = true;
          const started = await this.api.startJob({ ...item.request!, input: item.input.path } as JobRequest).finally(() => (this.starting = false));
          item.jobId = started.jobId;
          item.outputName = started.outputName;
          for (const e of this.early.get(started.jobId) ?? []) this.onEvent(e);
          this.early.clear();
        } catch (e) {
          this.settle(item, { state: 'failed', error: { code: 'BAD_ARGUMENT', message: e instanceof Error ? e.message : String(e) } });
        }
        await finished;
      }
    } finally {
      this.pumping = false;
    }
  }

  private nextQueued(): QueueItem | undefined {
    return this.items.find((i) => i.state === 'queued');
  }

  private onEvent(e: JobEvent): void {
    const item = this.items.find((i) => i.jobId === e.jobId);
    if (!item) {
      // Only while this queue waits for a startJob reply: other queues' jobs are not ours to keep.
      if (!this.starting) return;
      const list = this.early.get(e.jobId) ?? [];
      list.push(e);
      this.early.set(e.jobId, list);
      return;
    }
    if (e.type === 'progress') {
      item.progress = Math.max(item.progress, e.fraction);
    } else if (e.ok) {
      this.settle(item, { state: 'done', progress: 1, output: e.output, seconds: e.seconds, details: e.details });
    } else {
      this.settle(item, { state: e.cancelled ? 'cancelled' : 'failed', error: e.error, seconds: e.seconds });
    }
  }

  private settle(item: QueueItem, patch: Partial<QueueItem>): void {
    Object.assign(item, patch);
    this.waiting.get(item.key)?.();
    this.waiting.delete(item.key);
  }
}
