// Chooses the inference engine at run time: onnxruntime with the best execution provider this machine has
// (CUDA → DirectML → CoreML → CPU), else TensorFlow.js on its own chain (tfjs-node-gpu → tfjs-node → wasm →
// cpu). `--backend` / AEZ_BACKEND force one: an ORT name forces onnxruntime with that provider, a tfjs name
// forces TensorFlow.js on that backend; a forced choice that fails is an error (benchmarks must not lie).
// Training never comes here: it always runs on TensorFlow.js (tfjs/backend.ts).
import { AezError } from '../util/errors.js';
import { activeBackend, isOrtBackendName, isTfjsBackendName, BACKEND_NAMES, ORT_BACKEND_NAMES, type OrtBackendName } from '../tfjs/backend.js';
import type { InferenceEngine } from './engine.js';
import { OrtEngine, ORT_PROVIDERS, probeProvider } from './ort-engine.js';

export interface EngineAttempt {
  name: string;
  ok: boolean;
  reason: string;
}

export interface EngineChoice {
  engine: InferenceEngine;
  /** e.g. "ort-cpu", "tfjs-wasm". */
  chosen: string;
  why: string;
  attempts: EngineAttempt[];
}

export interface EngineOptions {
  /** Intra-op threads for onnxruntime (default: all cores). */
  threads?: number;
}

function reason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 400);
}

async function tryOrt(name: OrtBackendName, opts: EngineOptions): Promise<OrtEngine> {
  return OrtEngine.create({ provider: ORT_PROVIDERS[name], threads: opts.threads });
}

async function tfjs(backend?: string): Promise<{ engine: InferenceEngine; chosen: string; attempts: EngineAttempt[] }> {
  // Loaded only when needed: an onnxruntime worker never sets up a TensorFlow.js backend.
  const { TfjsEngine } = await import('./tfjs-engine.js');
  const engine = await TfjsEngine.create(backend);
  const report = activeBackend();
  return {
    engine,
    chosen: engine.name,
    attempts: (report?.attempts ?? []).map((a) => ({ name: `tfjs-${a.name}`, ok: a.ok, reason: a.reason })),
  };
}

/** Builds the inference engine for this thread (each pool worker calls it once). */
export async function createInferenceEngine(forced?: string, opts: EngineOptions = {}): Promise<EngineChoice> {
  const fromFlag = forced !== undefined && forced !== '';
  const want = (fromFlag ? forced : process.env.AEZ_BACKEND) ?? '';
  const source = fromFlag ? '--backend' : 'AEZ_BACKEND';
  if (want && !isOrtBackendName(want) && !isTfjsBackendName(want)) {
    throw new AezError('BAD_ARGUMENT', `unknown backend "${want}": choose one of ${BACKEND_NAMES.join(', ')}`);
  }
  if (isOrtBackendName(want)) {
    try {
      const engine = await tryOrt(want, opts);
      return { engine, chosen: engine.name, why: `forced by ${source}`, attempts: [{ name: want, ok: true, reason: 'loaded' }] };
    } catch (e) {
      throw new AezError('BACKEND', `${want} was asked for but cannot run: ${reason(e)}`);
    }
  }
  if (isTfjsBackendName(want)) {
    const t = await tfjs(want);
    return { ...t, why: `forced by ${source}` };
  }
  const attempts: EngineAttempt[] = [];
  for (const name of ORT_BACKEND_NAMES) {
    try {
      const engine = await tryOrt(name, opts);
      attempts.push({ name, ok: true, reason: 'loaded' });
      return { engine, chosen: engine.name, why: 'first engine in the chain that loaded', attempts };
    } catch (e) {
      attempts.push({ name, ok: false, reason: reason(e) });
    }
  }
  const t = await tfjs();
  return { ...t, why: 'onnxruntime unavailable, fell back to TensorFlow.js', attempts: [...attempts, ...t.attempts] };
}

/** What every onnxruntime provider would do, without keeping an engine; for `aez doctor`. */
export async function probeOrtProviders(): Promise<EngineAttempt[]> {
  const out: EngineAttempt[] = [];
  for (const name of ORT_BACKEND_NAMES) {
    try {
      await probeProvider(ORT_PROVIDERS[name]);
      out.push({ name, ok: true, reason: 'loaded' });
    } catch (e) {
      out.push({ name, ok: false, reason: reason(e) });
    }
  }
  return out;
}
