// Chooses the TensorFlow.js backend at run time: tfjs-node-gpu (CUDA) → tfjs-node → wasm → cpu.
// The two native packages are optional dependencies that cannot install everywhere (their installer
// downloads libtensorflow), so every step of the chain must fail soft and say why.
// `--backend` / AEZ_BACKEND also accept the onnxruntime names (ort, ort-cuda, ort-dml, ort-coreml): those pick
// the inference engine (inference/select.ts); TensorFlow.js, which trains, then takes its own chain.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './wasm-grad-kernels/register.js';
import type { TfjsBackendName } from './backend-names.js';
import { BACKEND_NAMES, isBackendName, isOrtBackendName, isTfjsBackendName, TFJS_BACKEND_NAMES } from './backend-names.js';

export * from './backend-names.js';

export interface BackendAttempt {
  name: TfjsBackendName;
  ok: boolean;
  reason: string;
}

export interface BackendReport {
  chosen: TfjsBackendName;
  why: string;
  attempts: BackendAttempt[];
  tfjsVersion: string;
}

const require = createRequire(import.meta.url);
let active: BackendReport | null = null;

/** Loads the wasm binaries from the installed package: no network, no bundler. */
async function initWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = require.resolve('@tensorflow/tfjs-backend-wasm').replace(/[^/\\]+$/, '');
  wasm.setWasmPaths(dir.endsWith('/') || dir.endsWith('\\') ? dir : dir + '/');
  registerWasmTrainingKernels();
}

async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<void> {
  // tfjs-node registers its 'tensorflow' backend on import; it bundles its own tfjs-core, which must be
  // the same version as ours or the registration lands in a different engine.
  // A package whose install script never ran (npm 11 holds them back; offline installs) has no native
  // binding: importing it would register half its kernels noisily before failing, so look first.
  const root = dirname(require.resolve(`${pkg}/package.json`));
  const lib = join(root, 'lib');
  const hasBinding = existsSync(lib) && readdirSync(lib).some((d) => existsSync(join(lib, d, 'tfjs_binding.node')));
  if (!hasBinding) throw new Error('installed, but its native library is missing (its install script did not run; see the README)');
  await import(pkg);
  if (!tf.findBackend('tensorflow')) throw new Error(`${pkg} loaded but registered no 'tensorflow' backend`);
}

async function attempt(name: TfjsBackendName): Promise<void> {
  switch (name) {
    case 'tfjs-node-gpu':
      await tryNative('@tensorflow/tfjs-node-gpu');
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tensorflow backend failed to initialise');
      // tfjs-node-gpu falls back to CPU silently when CUDA is missing; only accept it with a GPU.
      if (!nativeHasGpu()) throw new Error('no CUDA device visible to libtensorflow');
      return;
    case 'tfjs-node':
      await tryNative('@tensorflow/tfjs-node');
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tensorflow backend failed to initialise');
      return;
    case 'wasm':
      await initWasm();
      if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
      return;
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend failed to initialise');
      // The cpu backend prints a banner recommending tfjs-node on first use; aez doctor says that better.
      (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
      return;
  }
}

function nativeHasGpu(): boolean {
  try {
    const backend = tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } };
    return Boolean(backend.binding?.isUsingGpuDevice?.());
  } catch {
    return false;
  }
}

function explain(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Cannot find (package|module)/.test(msg)) return 'not installed (optional dependency)';
  return msg.split('\n')[0].slice(0, 200);
}

/**
 * Picks and activates a backend. `forced` (from --backend or AEZ_BACKEND) skips the chain; a forced
 * backend that fails is an error, not a silent fallback, so benchmarks never lie about what ran.
 */
export async function initBackend(forced?: string): Promise<BackendReport> {
  const asked = forced ?? process.env.AEZ_BACKEND ?? '';
  if (asked && !isBackendName(asked)) {
    throw new Error(`unknown backend "${asked}": choose one of ${BACKEND_NAMES.join(', ')}`);
  }
  // An onnxruntime name chooses the inference engine; TensorFlow.js (training, fallback) takes its chain.
  const want = isOrtBackendName(asked) ? '' : asked;
  if (active && (!want || want === active.chosen)) return active;
  const chain: TfjsBackendName[] = want ? [want as TfjsBackendName] : [...TFJS_BACKEND_NAMES];
  const attempts: BackendAttempt[] = [];
  for (const name of chain) {
    try {
      await attempt(name);
      attempts.push({ name, ok: true, reason: 'loaded' });
      active = {
        chosen: name,
        why: want
          ? `forced by ${forced ? '--backend' : 'AEZ_BACKEND'}`
          : asked
            ? `first in the chain that loaded (${asked} is an onnxruntime engine, for inference only)`
            : 'first in the chain that loaded',
        attempts,
        tfjsVersion: tf.version.tfjs,
      };
      return active;
    } catch (e) {
      attempts.push({ name, ok: false, reason: explain(e) });
    }
  }
  const detail = attempts.map((a) => `${a.name}: ${a.reason}`).join('; ');
  throw new Error(`no TensorFlow.js backend could start (${detail})`);
}

/** Reports what every backend would do without activating one; used by `aez doctor`. */
export async function probeBackends(): Promise<BackendAttempt[]> {
  const out: BackendAttempt[] = [];
  for (const name of ['tfjs-node-gpu', 'tfjs-node'] as const) {
    try {
      require.resolve(name === 'tfjs-node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
      out.push({ name, ok: true, reason: 'installed' });
    } catch (e) {
      out.push({ name, ok: false, reason: explain(e) });
    }
  }
  out.push({ name: 'wasm', ok: true, reason: 'bundled' }, { name: 'cpu', ok: true, reason: 'bundled' });
  return out;
}

export function activeBackend(): BackendReport | null {
  return active;
}
