// Which installed codec model a file needs, and loading codec models once per process.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listInstalledModels, loadModel } from '../models/registry.js';
import { requireModel, type AezHeader, type InstalledModel } from './format/aez-file.js';
import { codecModelFrom, type CodecModel } from './codec-model.js';
import { CodecError } from './errors.js';

/** The codec model `aez compress` uses unless told otherwise. */
import { DEFAULT_CODEC_MODEL } from './defaults.js';

export { DEFAULT_CODEC_MODEL };

const cache = new Map<string, Promise<CodecModel>>();

/** A codec model by name or folder (cached). Rejects models of other tasks with a clear message. */
export function loadCodecModel(nameOrPath: string): Promise<CodecModel> {
  let p = cache.get(nameOrPath);
  if (!p) {
    p = loadModel(nameOrPath).then((m) => {
      if (m.manifest.arch.kind !== 'hyperprior') {
        throw new CodecError('AEZ_ARGUMENT', `model "${nameOrPath}" is a ${m.manifest.task} model, not an image codec (try --model ${DEFAULT_CODEC_MODEL})`);
      }
      return codecModelFrom(m);
    });
    p.catch(() => cache.delete(nameOrPath));
    cache.set(nameOrPath, p);
  }
  return p;
}

/**
 * Installed models with their weight hashes (reads each model.json, not the weights), under the id their
 * manifest gives (which files carry); several folders may hold versions of one id.
 */
async function installedHashes(): Promise<(InstalledModel & { dir: string })[]> {
  const out: (InstalledModel & { dir: string })[] = [];
  for (const m of listInstalledModels()) {
    try {
      const manifest = JSON.parse(await readFile(join(m.dir, 'model.json'), 'utf8')) as { id?: unknown; sha256?: unknown };
      const id = typeof manifest.id === 'string' ? manifest.id : m.id;
      if (typeof manifest.sha256 === 'string') out.push({ id, hash: manifest.sha256, dir: m.dir });
    } catch {
      // an unreadable model cannot be the one a file needs; `aez doctor` reports it
    }
  }
  return out;
}

/**
 * The installed model a file was written with (same id and weights hash), loaded. Throws
 * AEZ_MODEL_MISSING: "needs model X (hash …), not installed".
 */
export async function codecModelForHeader(header: Pick<AezHeader, 'modelId' | 'modelHash'>): Promise<CodecModel> {
  return loadCodecModel(await findCodecModelDir(header));
}

/** The folder of the installed model a file needs (without loading it); throws like codecModelForHeader. */
export async function findCodecModelDir(header: Pick<AezHeader, 'modelId' | 'modelHash'>): Promise<string> {
  return (requireModel(header, await installedHashes()) as InstalledModel & { dir: string }).dir;
}
