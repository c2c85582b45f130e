// The one API the renderer calls. Electron's preload exposes it as window.aez (over IPC); the browser twin
// (`aez serve`) implements the same interface over HTTP. The renderer never learns which host it talks to
// beyond `host`, so every screen is testable in a plain browser.
//
// Types only: this module is imported by the renderer, the preload, the main process and the web host.

export type HostKind = 'electron' | 'browser';
export type DenoiseModel = 'photo' | 'scan';
export type OutputFormat = 'png' | 'jpg' | 'webp' | 'tif' | 'avif';
export type Theme = 'system' | 'light' | 'dark';

export interface Settings {
  /** Absolute folder every output is written to (created on first use). */
  outputDir: string;
  theme: Theme;
  format: OutputFormat;
  model: DenoiseModel;
  /** null: estimate the noise level per image; otherwise 0..100 in 8-bit units. */
  sigma: number | null;
}

/** An input the host has accepted: `path` is an opaque handle for the renderer (a real path in Electron,
 *  a file in the session's upload folder in the twin). */
export interface InputFile {
  path: string;
  name: string;
  size: number;
}

export interface Rejected {
  name: string;
  reason: string;
}

export interface AddResult {
  files: InputFile[];
  rejected: Rejected[];
}

export interface DenoiseRequest {
  kind: 'denoise';
  input: string;
  model: DenoiseModel;
  sigma: number | null;
  format: OutputFormat;
}

export type JobRequest = DenoiseRequest;

export interface StartedJob {
  jobId: string;
  output: string;
  outputName: string;
}

export interface ItemError {
  code: string;
  message: string;
}

export type JobEvent =
  | { type: 'progress'; jobId: string; fraction: number }
  | { type: 'done'; jobId: string; ok: true; output: string; seconds: number; details: Record<string, unknown> }
  | { type: 'done'; jobId: string; ok: false; cancelled: boolean; error: ItemError; seconds: number };

export interface Preview {
  mime: string;
  bytes: Uint8Array;
  width: number;
  height: number;
  /** Size of the file on disk, in bytes (not of the preview). */
  fileSize: number;
  format: string;
}

export interface BackendAttempt {
  name: string;
  ok: boolean;
  reason: string;
}

export interface DoctorReport {
  backend: { chosen?: string; why?: string; attempts?: BackendAttempt[]; error?: string };
  cpu: { cores: number; model: string; memoryGiB: number };
  threads: number;
  versions: Record<string, string>;
  modelsDir: string;
  models: { id: string; dir: string; ok: boolean; task?: string; parameters?: number; error?: string }[];
}

export interface AezApi {
  readonly host: HostKind;
  doctor(): Promise<DoctorReport>;
  getSettings(): Promise<Settings>;
  setSettings(patch: Partial<Settings>): Promise<Settings>;
  /** Electron: a native folder dialog; resolves null when dismissed. The twin has no such dialog (null). */
  chooseOutputDir(): Promise<string | null>;
  /** The system's open dialog (Electron) or a file input (twin); folders are expanded to their images. */
  openFiles(): Promise<AddResult>;
  /** Dropped or pasted files: Electron uses their paths, the twin uploads them into its session folder. */
  addFiles(files: File[]): Promise<AddResult>;
  startJob(request: JobRequest): Promise<StartedJob>;
  cancelJob(jobId: string): Promise<void>;
  onJobEvent(cb: (e: JobEvent) => void): () => void;
  /** Files handed to the app by the OS (command line, file association, a second launch). */
  onFilesOpened(cb: (r: AddResult) => void): () => void;
  /** An input or an output, in a format the browser can show, for the compare view. */
  readPreview(path: string): Promise<Preview>;
}
