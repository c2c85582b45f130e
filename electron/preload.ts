// The preload: exposes exactly AezApi as window.aez, over IPC. It runs sandboxed, so it is bundled into
// one CommonJS file (scripts/build-ui.ts) and may only use Electron's renderer modules.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { AddResult, AezApi, JobEvent, TrainEvent } from './shared/api.js';
import { CH } from './shared/channels.js';
import { callApi, callChannel, type Envelope } from './shared/methods.js';

async function call<T>(channel: string, ...args: unknown[]): Promise<T> {
  const r = (await ipcRenderer.invoke(channel, ...args)) as Envelope<T>;
  if (r.ok) return r.value;
  throw new Error(r.error.message);
}

function subscribe<T>(channel: string, cb: (value: T) => void): () => void {
  const listener = (_e: IpcRendererEvent, value: T) => cb(value);
  ipcRenderer.on(channel, listener);
  return () => void ipcRenderer.removeListener(channel, listener);
}

async function addFiles(files: File[]): Promise<AddResult> {
  const paths: string[] = [];
  const result: AddResult = { files: [], rejected: [] };
  for (const f of files) {
    const p = webUtils.getPathForFile(f);
    if (p) {
      paths.push(p);
    } else {
      // Pasted images exist only in memory.
      const r = await call<AddResult>(CH.importBytes, f.name, new Uint8Array(await f.arrayBuffer()));
      result.files.push(...r.files);
      result.rejected.push(...r.rejected);
    }
  }
  if (paths.length) {
    const r = await call<AddResult>(CH.addPaths, paths);
    result.files.unshift(...r.files);
    result.rejected.unshift(...r.rejected);
  }
  return result;
}

const api: AezApi = {
  ...callApi((method, arg) => call(callChannel(method), arg)),
  host: 'electron',
  chooseOutputDir: () => call(CH.chooseOutputDir),
  openFiles: () => call(CH.openFiles),
  addFiles,
  onJobEvent: (cb) => subscribe<JobEvent>(CH.jobEvent, cb),
  onFilesOpened: (cb) => subscribe<AddResult>(CH.filesOpened, cb),
  // The window lives and dies with its main process: there is no lost connection to report.
  onConnectionLost: () => () => {},
  readPreview: (path) => call(CH.readPreview, path),
  chooseFolder: (purpose) => call(CH.chooseFolder, purpose),
  onTrainEvent: (cb) => subscribe<TrainEvent>(CH.trainEvent, cb),
};

contextBridge.exposeInMainWorld('aez', api);
