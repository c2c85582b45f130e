// The one API the renderer calls. Electron's preload exposes it as window.aez (over IPC); the browser twin
// (`aez serve`) implements the same interface over HTTP. The renderer never learns which host it talks to
// beyond `host`, so every screen is testable in a plain browser.
//
// Types only: this module is imported by the renderer, the preload, the main process and the web host.

export type HostKind = 'electron' | 'browser';
/** An installed model's id: 'photo', 'scan', or one exported from a training run. */
export type DenoiseModel = string;
/** One list for the whole app (engine/image/output-formats.ts): png, jpg, webp, tif, avif. */
export type { OutputFormat } from '../engine/image/output-formats.js';
import type { OutputFormat } from '../engine/image/output-formats.js';
export type Theme = 'system' | 'light' | 'dark';

export interface Settings {
  /** Absolute folder every output is written to (created on first use). */
  outputDir: string;
  /** Absolute folder new training runs are made in (a run is named by its sub-folder). */
  runsDir: string;
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

/** Compress an image to .aez: a quality (1 … the model's levels) or a target size in bytes (null: quality). */
export interface CompressRequest {
  kind: 'compress';
  input: string;
  quality: number;
  targetBytes: number | null;
}

/** Restore an .aez file to an image. */
export interface RestoreRequest {
  kind: 'restore';
  input: string;
  format: OutputFormat;
}

/** Fill the holes of an image: `mask` is an added file (white = hole) the size of the image. */
export interface InpaintRequest {
  kind: 'inpaint';
  input: string;
  mask: string;
  format: OutputFormat;
}

export type JobRequest = DenoiseRequest | CompressRequest | RestoreRequest | InpaintRequest;

/** A job request without its input: the settings a queue applies to each of its files. */
export type JobSettings = JobRequest extends infer R ? (R extends JobRequest ? Omit<R, 'input'> : never) : never;

/** What compressing one image at a setting would give, without writing anything. */
export interface CompressEstimate {
  bytes: number;
  bpp: number;
  quality: number;
  psnr: number;
  /** SSIM of what the file restores to, for images up to 16 MP (as the compressed file's result reports it). */
  ssim?: number;
  /** Set when a size target is below what the lowest quality reaches. */
  targetMissed?: boolean;
}

/** The installed codec: its quality range, for the Compress controls. */
export interface CodecInfo {
  model: string;
  levels: number;
  defaultQuality: number;
}

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
  /** The inference engine denoising, inpainting and the codec run on (onnxruntime or TensorFlow.js), and why. */
  engine: { chosen?: string; why?: string; attempts?: BackendAttempt[]; error?: string };
  /** The TensorFlow.js backend training runs on. */
  backend: { chosen?: string; why?: string; attempts?: BackendAttempt[]; error?: string };
  cpu: { cores: number; model: string; memoryGiB: number };
  threads: number;
  versions: Record<string, string>;
  modelsDir: string;
  models: { id: string; dir: string; ok: boolean; task?: string; parameters?: number; error?: string }[];
}

// ---- Training ----

export type TrainTask = 'photo' | 'scan' | 'inpaint' | 'codec';

export interface TrainTaskInfo {
  id: TrainTask;
  label: string;
  description: string;
  /** What the data folder must hold. */
  dataHint: string;
  defaults: { batch: number; patch: number; widths: number[]; blocks: number[] };
}

export interface TrainInfo {
  /** The tasks this engine can train (inpaint only where the engine has it). */
  tasks: TrainTaskInfo[];
  runsDir: string;
  modelsDir: string;
}

/** One validation (or one step) of a run. */
export interface TrainPoint {
  step: number;
  total: number;
  loss: number;
  lr: number;
  stepsPerSec: number;
  elapsedMs: number;
  val?: { metric: 'psnr' | 'rmse' | 'rd'; value: number; best: number };
}

export interface RunSummary {
  dir: string;
  name: string;
  task?: TrainTask;
  data?: string[];
  /** Steps done and the target. */
  step: number;
  total?: number;
  best?: { step: number; metric: number };
  metric?: 'psnr' | 'rmse' | 'rd';
  /** Progress at each validation so far. */
  history: TrainPoint[];
  hasModel: boolean;
  arch?: { widths: number[]; blocks: number[] };
  batch?: number;
  patch?: number;
  updated?: string;
  /** The last sample preview (PNG data URL), when the run has one. */
  sample?: string;
  /** Whether a training job is running on it now (its id). */
  jobId?: string;
}

export interface TrainRequest {
  /** A run name (a folder in the runs folder) or an absolute folder path. */
  run: string;
  /** New runs: task and data folders (absolute paths on the host's machine). A resumed run keeps its own. */
  task?: TrainTask;
  data?: string[];
  steps: number;
  valEvery?: number;
  batch?: number;
  patch?: number;
  widths?: number[];
  blocks?: number[];
  /** An installed model to fine-tune (same architecture as the task's preset). */
  initFrom?: string;
}

export interface StartedTraining {
  jobId: string;
  run: string;
  dir: string;
}

export type TrainEvent =
  | { type: 'start'; jobId: string; dir: string; task: TrainTask; step: number; total: number; parameters: number; workers: number; resumed: boolean; history: TrainPoint[] }
  | { type: 'progress'; jobId: string; point: TrainPoint }
  | { type: 'sample'; jobId: string; step: number; dataUrl: string; width: number; height: number }
  | { type: 'log'; jobId: string; line: string }
  | { type: 'done'; jobId: string; dir: string; ok: true; stopped: boolean; step: number; total: number; best?: { step: number; metric: number }; elapsedMs: number }
  | { type: 'done'; jobId: string; dir: string; ok: false; error: ItemError };

export interface ExportRequest {
  /** The run (name or folder) whose best model is exported. */
  run: string;
  /** The new model's name: lower-case letters, digits and dashes. */
  name: string;
  /** A folder to copy it into; absent: the models folder, so it appears in Denoise. */
  dir?: string;
}

export interface ExportResult {
  dir: string;
  name: string;
  /** True when it went to the models folder (pickable in Denoise). */
  installed: boolean;
}

export type FolderPurpose = 'data' | 'runs' | 'export';

// ---- Explore (the latent-space explorer) ----

export interface DemoModelSummary {
  name: string;
  title: string;
  kind: 'ae' | 'vae';
  dataset: string;
  latent: number;
  classNames: string[];
  hasEmbeddings: boolean;
  /** False for a catalogue model not trained yet. */
  installed: boolean;
}

export type DemoRequest =
  | { kind: 'models' }
  | { kind: 'embeddings'; model: string }
  | { kind: 'decode'; model: string; points: number[][] }
  | { kind: 'images'; model: string; indices: number[] }
  | { kind: 'sample'; model: string; sampler: 'uniform' | 'normal' | 'class'; count: number; seed: number; classIndex?: number }
  | { kind: 'interpolate'; model: string; a: number; b: number; frames: number }
  | { kind: 'grid'; model: string; cols: number; rows: number }
  | { kind: 'denoise'; model: string; index: number; sigma: number; seed: number }
  | { kind: 'lossVsSize'; dataset: 'fashion-mnist' | 'mnist'; modelKind: 'ae' | 'vae' };

/** `images`: base64 of count·784 bytes, 28×28 grey images one after another. */
export type DemoResponse =
  | { kind: 'models'; models: DemoModelSummary[] }
  | { kind: 'embeddings'; points: number[]; labels: number[]; count: number; dim: number; classNames: string[]; bounds: { min: number[]; max: number[] } }
  | { kind: 'images'; count: number; images: string }
  | { kind: 'points'; count: number; points: number[]; images: string }
  | { kind: 'denoise'; images: string; psnrNoisy: number; psnrRestored: number }
  | { kind: 'lossVsSize'; rows: { name: string; latent: number; testMse: number; testPsnr: number; testLoss: number; trainLoss: number }[] };

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
  /** Explore mode: every question to a demo model (see DemoRequest). */
  demo<R extends DemoResponse = DemoResponse>(request: DemoRequest): Promise<R>;
  /** The codec model Compress uses (null when none is installed). */
  codecInfo(): Promise<CodecInfo | null>;
  /** Size and quality of compressing `input` with these settings, without writing a file. */
  estimateCompression(request: Omit<CompressRequest, 'kind'>): Promise<CompressEstimate>;
  cancelJob(jobId: string): Promise<void>;
  onJobEvent(cb: (e: JobEvent) => void): () => void;
  /**
   * The engine side is gone (the twin: `aez serve` stopped or cannot be reached; its requests fail and its event
   * stream closed). Called once, with what the user should do. Electron: the window closes with its main
   * process, so this never fires there.
   */
  onConnectionLost(cb: (message: string) => void): () => void;
  /** Files handed to the app by the OS (command line, file association, a second launch). */
  onFilesOpened(cb: (r: AddResult) => void): () => void;
  /** An input or an output, in a format the browser can show, for the compare view. */
  readPreview(path: string): Promise<Preview>;
  /** Electron: a native folder dialog (null when dismissed). The twin has none: null, and the page asks for a typed path. */
  chooseFolder(purpose: FolderPurpose): Promise<string | null>;
  trainInfo(): Promise<TrainInfo>;
  /** The runs in the runs folder, newest first. */
  listRuns(): Promise<RunSummary[]>;
  /** One run by name or folder; null when the folder is not a run (yet). */
  readRun(run: string): Promise<RunSummary | null>;
  startTraining(request: TrainRequest): Promise<StartedTraining>;
  /** Stops a run: it checkpoints, and starting it again resumes. */
  stopTraining(jobId: string): Promise<void>;
  onTrainEvent(cb: (e: TrainEvent) => void): () => void;
  /** Copies a run's best model to a new name; never replaces an existing model. */
  exportModel(request: ExportRequest): Promise<ExportResult>;
  /** The shared job queue `aez serve --redis` was started with (null without one): counts and failures. */
  queueStatus(): Promise<QueueSummary | null>;
}

/** What `aez queue status` says (engine/queue/queue-admin.ts), and where the queue is (host:port only). */
export interface QueueSummary {
  server: string;
  waiting: number;
  active: number;
  delayed: number;
  done: number;
  failed: number;
  failures: { input: string; reason: string; attempts: number }[];
}
