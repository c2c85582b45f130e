// Checkpoints: weights and Adam moments as raw float32 plus a JSON state, each written atomically
// (temporary name, then rename), so a run killed at any instant resumes from the last complete one.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';

export interface CheckpointState<C> {
  step: number;
  config: C;
  elapsedMs: number;
  history: unknown[];
  best?: { step: number; metric: number };
  adamT: number;
}

export async function saveCheckpoint<C>(dir: string, state: CheckpointState<C>, params: Float32Array, m: Float32Array, v: Float32Array): Promise<void> {
  const bin = new Float32Array(params.length * 3);
  bin.set(params, 0);
  bin.set(m, params.length);
  bin.set(v, 2 * params.length);
  // The binary goes first under a step-stamped name the JSON then points at: the pair is always consistent.
  const binName = `checkpoint-${state.step}.bin`;
  await writeFileAtomic(join(dir, binName), Buffer.from(bin.buffer));
  await writeFileAtomic(join(dir, 'checkpoint.json'), Buffer.from(JSON.stringify({ ...state, bin: binName }, null, 1)));
}

export async function loadCheckpoint<C>(dir: string, size: number): Promise<{ state: CheckpointState<C>; params: Float32Array; m: Float32Array; v: Float32Array } | null> {
  let json: string;
  try {
    json = await readFile(join(dir, 'checkpoint.json'), 'utf8');
  } catch {
    return null;
  }
  const state = JSON.parse(json) as CheckpointState<C> & { bin: string };
  const buf = await readFile(join(dir, state.bin));
  if (buf.byteLength !== size * 12) throw new Error(`checkpoint ${dir} does not match the model size`);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return { state, params: all.slice(0, size), m: all.slice(size, 2 * size), v: all.slice(2 * size) };
}
