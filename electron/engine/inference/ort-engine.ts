// onnxruntime-node implementation of the inference engine. Models are exported to ONNX in memory when first
// run (electron/engine/nn/unet-onnx.ts; a few milliseconds for the shipped sizes) and one session is
// cached per model. The package is loaded lazily and every failure is reported with a reason, so a platform
// without onnxruntime binaries falls back to TensorFlow.js instead of failing (see inference/select.ts).
import { availableParallelism } from 'node:os';
import type * as OrtTypes from 'onnxruntime-node';
import type { LoadedModel } from '../models/model-file.js';
import { sizeMultiple, type UNetConfig } from '../nn/unet.js';
import { convLayer, exportUNet, onnxInputPlanes, ONNX_INPUT, ONNX_OUTPUT, ONNX_SIGMA } from '../nn/unet-onnx.js';
import { GraphBuilder } from '../onnx/onnx-proto.js';
import type { InferenceEngine, RunOptions, Shape4 } from './engine.js';
import { trackNative } from '../workers/native-calls.js';

type Ort = typeof OrtTypes;

/** Execution providers the engine knows, by the --backend name that asks for them. */
export const ORT_PROVIDERS = { ort: 'cpu', 'ort-cuda': 'cuda', 'ort-dml': 'dml', 'ort-coreml': 'coreml' } as const;
export type OrtProvider = (typeof ORT_PROVIDERS)[keyof typeof ORT_PROVIDERS];

/** Where an onnxruntime-node build can have each provider (the npm package's own platform matrix). */
const PROVIDER_PLATFORMS: Record<OrtProvider, readonly NodeJS.Platform[]> = {
  cpu: ['linux', 'win32', 'darwin'],
  cuda: ['linux', 'win32'],
  dml: ['win32'],
  coreml: ['darwin'],
};

let ortPromise: Promise<Ort> | null = null;

/** Loads onnxruntime-node once; rejects with a one-line reason when it is missing or its binary will not load. */
export function loadOrt(): Promise<Ort> {
  ortPromise ??= import('onnxruntime-node').then(
    (m) => {
      const ort = ((m as unknown as { default?: Ort }).default ?? m) as Ort;
      // The process-wide logger otherwise prints to stderr when a GPU provider's library is missing, which
      // the chain expects and reports itself. Set before the first session (ORT reads it once).
      ort.env.logLevel = 'fatal';
      return ort;
    },
    (e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(/Cannot find (package|module)/.test(msg) ? 'onnxruntime-node is not installed' : `onnxruntime-node failed to load: ${msg.split('\n')[0].slice(0, 200)}`);
    },
  );
  return ortPromise;
}

export function ortVersion(ort: Ort): string {
  return (ort.env as { versions?: { node?: string; common?: string } }).versions?.node ?? 'unknown';
}

export interface OrtEngineOptions {
  provider?: OrtProvider;
  /** Intra-op threads per session; default all cores. A worker pool of N gives each worker cores/N. */
  threads?: number;
}

function sessionOptions(provider: OrtProvider, threads: number): OrtTypes.InferenceSession.SessionOptions {
  return {
    // Only the provider asked for: a GPU provider that cannot start must fail here, not fall back silently.
    // (ORT still places the odd op its GPU provider lacks on the CPU; that is fine.)
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    // Idle intra-op threads otherwise spin, burning cores the other tile workers need.
    extra: { session: { intra_op: { allow_spinning: threads > 1 ? '1' : '0' } } },
  };
}

/** A one-convolution model to check that a provider really starts and computes. */
function probeModel(): Uint8Array {
  const g = new GraphBuilder('probe');
  const x = g.input('x', [1, 4, 4, 2]);
  const y = convLayer(g, 'c', g.op('Transpose', [x], { perm: [0, 3, 1, 2] }), Float32Array.from([1, 2, 3, 4]), [1, 1, 2, 2], Float32Array.from([0.5, -0.5]));
  g.op('Transpose', [y], { perm: [0, 2, 3, 1] }, 'y');
  g.output('y', [1, 4, 4, 2]);
  return g.model();
}

/** Creates a session for the probe model with `provider` and runs it once; throws with a reason. */
export async function probeProvider(provider: OrtProvider): Promise<void> {
  if (!PROVIDER_PLATFORMS[provider].includes(process.platform)) throw new Error(`not available on ${process.platform}`);
  const ort = await loadOrt();
  if (provider !== 'cpu') {
    const listed = (ort as unknown as { listSupportedBackends?: () => { name: string; bundled: boolean }[] }).listSupportedBackends?.();
    if (listed && !listed.some((b) => b.name === provider)) throw new Error(`this onnxruntime-node build has no ${provider} provider`);
  }
  let session: OrtTypes.InferenceSession;
  try {
    session = await trackNative(() => ort.InferenceSession.create(probeModel(), sessionOptions(provider, 1)));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const hint =
      provider === 'cuda' && /shared library/i.test(msg)
        ? ' (the CUDA 12 provider files are not installed: `ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install` fetches them)'
        : '';
    throw new Error(`${provider} provider did not start: ${msg.split('\n')[0].slice(0, 200)}${hint}`);
  }
  try {
    const x = new Float32Array(32).fill(1);
    const out = await trackNative(() => session.run({ x: new ort.Tensor('float32', x, [1, 4, 4, 2]) }));
    const y = out.y.data as Float32Array;
    // Channel 0 = 1·1 + 3·1 + 0.5 = 4.5, channel 1 = 2 + 4 − 0.5 = 5.5.
    if (Math.abs(y[0] - 4.5) > 1e-3 || Math.abs(y[1] - 5.5) > 1e-3) throw new Error(`${provider} provider computed wrong values`);
  } finally {
    await trackNative(() => session.release());
  }
}

export class OrtEngine implements InferenceEngine {
  readonly name: string;
  private readonly sessions = new Map<string, Promise<OrtTypes.InferenceSession>>();

  private constructor(
    private readonly ort: Ort,
    readonly provider: OrtProvider,
    readonly threads: number,
  ) {
    this.name = `ort-${provider}`;
  }

  /** Loads onnxruntime and checks the provider with a probe model; throws with a reason when it cannot run. */
  static async create(opts: OrtEngineOptions = {}): Promise<OrtEngine> {
    const provider = opts.provider ?? 'cpu';
    await probeProvider(provider);
    const threads = Math.max(1, Math.floor(opts.threads ?? availableParallelism()));
    return new OrtEngine(await loadOrt(), provider, threads);
  }

  get version(): string {
    return ortVersion(this.ort);
  }

  private session(model: LoadedModel): Promise<OrtTypes.InferenceSession> {
    // The weights' hash names a model's numbers; the architecture is part of the key because the hash covers
    // only weights.bin.
    const key = `${model.manifest.sha256}:${JSON.stringify(model.manifest.arch)}`;
    let s = this.sessions.get(key);
    if (!s) {
      const bytes = exportUNet(model.manifest.arch as UNetConfig, model.weights, { props: { 'aez.weights_sha256': model.manifest.sha256 } });
      s = trackNative(() => this.ort.InferenceSession.create(bytes, sessionOptions(this.provider, this.threads)));
      s.catch(() => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    return s;
  }

  async run(model: LoadedModel, input: Float32Array, shape: Shape4, opts: RunOptions = {}): Promise<Float32Array> {
    const cfg = model.manifest.arch as UNetConfig;
    const m = sizeMultiple(cfg);
    if (shape[1] % m || shape[2] % m) throw new Error(`input ${shape[1]}×${shape[2]} is not a multiple of ${m}`);
    const planes = onnxInputPlanes(cfg);
    if (shape[3] !== planes) throw new Error(`model ${model.manifest.id} takes ${planes} channels, got ${shape[3]}`);
    if (input.length !== shape[0] * shape[1] * shape[2] * shape[3]) throw new Error(`input has ${input.length} values for shape [${shape}]`);
    const session = await this.session(model);
    const feeds: Record<string, OrtTypes.Tensor> = { [ONNX_INPUT]: new this.ort.Tensor('float32', input, shape) };
    if (cfg.noiseMap) feeds[ONNX_SIGMA] = new this.ort.Tensor('float32', Float32Array.of(opts.sigma ?? 0), [1]);
    const out = await trackNative(() => session.run(feeds));
    const data = out[ONNX_OUTPUT].data as Float32Array;
    // Callers transfer the buffer to another thread: hand back an array that owns its whole buffer.
    return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
  }

  /**
   * Runs any project-exported graph with one float input and one float output (the codec's transforms);
   * `key` names the graph and its weights, `build` makes its bytes the first time.
   */
  async runGraph(key: string, build: () => Uint8Array, input: { name: string; data: Float32Array; dims: number[] }, output: string): Promise<{ data: Float32Array; dims: number[] }> {
    let s = this.sessions.get(key);
    if (!s) {
      // Inputs change size from call to call (chunks, tiles, latents): no memory pattern to reuse, and an
      // arena would keep the largest call's buffers for good (hundreds of MB on big images).
      s = trackNative(() => this.ort.InferenceSession.create(build(), { ...sessionOptions(this.provider, this.threads), enableCpuMemArena: false, enableMemPattern: false }));
      s.catch(() => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    const session = await s;
    const out = await trackNative(() => session.run({ [input.name]: new this.ort.Tensor('float32', input.data, input.dims) }));
    const t = out[output];
    return { data: t.data as Float32Array, dims: t.dims.map(Number) };
  }

  /** Releases the sessions of the graphs whose keys start with `prefix` (a model that was closed). */
  releaseGraphs(prefix: string): void {
    for (const [key, s] of this.sessions) {
      if (!key.startsWith(prefix)) continue;
      s.then((x) => trackNative(() => x.release()), () => {}).catch(() => {});
      this.sessions.delete(key);
    }
  }

  dispose(): void {
    for (const s of this.sessions.values()) s.then((x) => trackNative(() => x.release()), () => {}).catch(() => {});
    this.sessions.clear();
  }
}
