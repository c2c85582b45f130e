// AezApi over HTTP, for the browser twin (`aez serve`): calls are POSTs carrying the token header, files
// are uploaded one by one, job events arrive as Server-Sent Events.
import type { AddResult, AezApi, JobEvent, Preview, TrainEvent } from '../../../electron/shared/api.js';
import { callApi, type Envelope } from '../../../electron/shared/methods.js';
import { INPUT_ACCEPT } from './formats.js';

export function createHttpApi(token: string): AezApi {
  const headers = { 'x-aez-token': token };

  async function unwrap<T>(r: Response): Promise<T> {
    let body: Envelope<T>;
    try {
      body = (await r.json()) as Envelope<T>;
    } catch {
      throw new Error(`The AEZ server answered ${r.status} ${r.statusText}. Is "aez serve" still running?`);
    }
    if (!body.ok) throw new Error(body.error.message);
    return body.value;
  }

  // The server is gone when a request cannot reach it, or when the event stream drops and a probe finds no one.
  const LOST = 'AEZ stopped: start "aez serve" again and open the new address it prints.';
  const lostListeners = new Set<(message: string) => void>();
  let lost = false;
  function markLost(): void {
    if (lost) return;
    lost = true;
    source?.close();
    for (const l of lostListeners) l(LOST);
  }
  async function probe(): Promise<void> {
    try {
      await fetch('/api/getSettings', { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: 'null', signal: AbortSignal.timeout(5000) });
    } catch {
      markLost();
    }
  }

  async function call<T>(method: string, arg?: unknown): Promise<T> {
    if (lost) throw new Error(LOST);
    let r: Response;
    try {
      r = await fetch(`/api/${method}`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(arg ?? null) });
    } catch {
      markLost();
      throw new Error(LOST);
    }
    return unwrap<T>(r);
  }

  async function addFiles(files: File[]): Promise<AddResult> {
    const out: AddResult = { files: [], rejected: [] };
    for (const f of files) {
      try {
        const r = await fetch(`/api/upload?name=${encodeURIComponent(f.name)}`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/octet-stream' }, body: f });
        const v = await unwrap<AddResult>(r);
        out.files.push(...v.files);
        out.rejected.push(...v.rejected);
      } catch (e) {
        out.rejected.push({ name: f.name, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    return out;
  }

  function openFiles(): Promise<AddResult> {
    // Must run inside the click that asked for it: browsers only open a file chooser on a user gesture.
    return new Promise((resolve) => {
      const input = document.createElement('input');
      input.type = 'file';
      input.multiple = true;
      input.accept = INPUT_ACCEPT;
      input.addEventListener('change', () => resolve(addFiles([...(input.files ?? [])])), { once: true });
      input.addEventListener('cancel', () => resolve({ files: [], rejected: [] }), { once: true });
      input.click();
    });
  }

  // One event stream: job events as plain messages, training events under the name `train`.
  const listeners = new Set<(e: JobEvent) => void>();
  const trainListeners = new Set<(e: TrainEvent) => void>();
  let source: EventSource | undefined;
  function stream(): EventSource {
    if (source) return source;
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    source.onmessage = (m) => {
      const e = JSON.parse(m.data as string) as JobEvent;
      for (const l of listeners) l(e);
    };
    // EventSource reconnects by itself after a drop; a probe tells a blip from a server that is gone.
    source.onerror = () => void probe();
    source.addEventListener('train', (m) => {
      const e = JSON.parse((m as MessageEvent).data as string) as TrainEvent;
      for (const l of trainListeners) l(e);
    });
    return source;
  }
  function onJobEvent(cb: (e: JobEvent) => void): () => void {
    listeners.add(cb);
    stream();
    return () => listeners.delete(cb);
  }
  function onTrainEvent(cb: (e: TrainEvent) => void): () => void {
    trainListeners.add(cb);
    stream();
    return () => trainListeners.delete(cb);
  }

  async function readPreview(path: string): Promise<Preview> {
    const r = await fetch('/api/preview', { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(path) });
    const meta = r.headers.get('X-Aez-Preview');
    if (!r.ok || !meta) return unwrap<Preview>(r);
    const m = JSON.parse(meta) as Omit<Preview, 'bytes'>;
    return { ...m, bytes: new Uint8Array(await r.arrayBuffer()) };
  }

  return {
    ...callApi((method, arg) => call(method, arg)),
    host: 'browser',
    chooseOutputDir: async () => null,
    openFiles,
    addFiles,
    onJobEvent,
    onFilesOpened: () => () => {},
    onConnectionLost: (cb) => {
      lostListeners.add(cb);
      stream();
      return () => lostListeners.delete(cb);
    },
    readPreview,
    // The twin cannot open a folder dialog on the server's machine: the page asks for a typed path.
    chooseFolder: async () => null,
    onTrainEvent,
  };
}
