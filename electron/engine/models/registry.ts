// Finds models: a bare name ('photo', 'scan') means a folder under the installed models directory; anything
// else is taken as a path to a model folder. The models directory is the repository's `models/` in a
// checkout, `resources/models` inside a packaged app, or AEZ_MODELS_DIR when set.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AezError, errorMessage } from '../util/errors.js';
import { archCountParams } from './arch.js';
import { loadModelDir, type LoadedModel } from './model-file.js';

export const BUILTIN_MODELS = ['photo', 'scan'] as const;

export function modelsRoot(): string {
  if (process.env.AEZ_MODELS_DIR) return resolve(process.env.AEZ_MODELS_DIR);
  // dist/electron/engine/models/registry.js or electron/engine/models/registry.ts → repository root
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'models')) && existsSync(join(dir, 'package.json'))) return join(dir, 'models');
    dir = dirname(dir);
  }
  const resources = (process as unknown as { resourcesPath?: string }).resourcesPath;
  if (resources && existsSync(join(resources, 'models'))) return join(resources, 'models');
  return resolve('models');
}

export function resolveModelPath(nameOrPath: string): string {
  if (/^[a-z0-9][a-z0-9-]*$/.test(nameOrPath) && !existsSync(nameOrPath)) return join(modelsRoot(), nameOrPath);
  return resolve(nameOrPath);
}

const cache = new Map<string, Promise<LoadedModel>>();

export function loadModel(nameOrPath: string): Promise<LoadedModel> {
  const path = resolveModelPath(nameOrPath);
  let p = cache.get(path);
  if (!p) {
    p = loadModelDir(path).catch((e) => {
      cache.delete(path);
      if (e instanceof AezError && e.code === 'MODEL_NOT_FOUND' && !nameOrPath.includes('/')) {
        throw new AezError('MODEL_NOT_FOUND', `model "${nameOrPath}" is not installed (looked in ${path})`);
      }
      throw e;
    });
    cache.set(path, p);
  }
  return p;
}

/** Installed model folders, for `aez doctor` and the settings page. */
export function listInstalledModels(): { id: string; dir: string }[] {
  const root = modelsRoot();
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'model.json')))
    .map((d) => ({ id: d.name, dir: join(root, d.name) }));
}

export type InstalledModelSummary =
  | { id: string; dir: string; task: string; parameters: number; ok: true }
  | { id: string; dir: string; ok: false; error: string };

/** Every installed model, loaded to check it: what `aez doctor` and the app's settings page list. */
export function describeInstalledModels(): Promise<InstalledModelSummary[]> {
  return Promise.all(
    listInstalledModels().map(async (m): Promise<InstalledModelSummary> => {
      try {
        const loaded = await loadModelDir(m.dir);
        return { id: m.id, dir: m.dir, task: loaded.manifest.task, parameters: archCountParams(loaded.manifest.arch), ok: true };
      } catch (e) {
        return { id: m.id, dir: m.dir, ok: false, error: errorMessage(e) };
      }
    }),
  );
}
