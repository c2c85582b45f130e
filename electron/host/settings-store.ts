// The user's settings, kept as JSON (Electron: the userData folder; the twin: the user config folder).
// A missing or damaged file falls back to defaults field by field, so a bad edit never locks the app out.
import { mkdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Settings } from '../shared/api.js';
import { writeFileAtomic } from '../engine/util/atomic-write.js';
import { parseArg, settingsPatchSchema, settingsSchema } from './schemas.js';

/** ~/Pictures/AEZ where a Pictures folder exists, else ~/AEZ. */
export function defaultOutputDir(): string {
  const pictures = join(homedir(), 'Pictures');
  return existsSync(pictures) ? join(pictures, 'AEZ') : join(homedir(), 'AEZ');
}

/** ~/AEZ/runs: where new training runs go unless the user picks another folder. */
export function defaultRunsDir(): string {
  return join(homedir(), 'AEZ', 'runs');
}

/** Where the twin and the CLI keep settings: AEZ_CONFIG_DIR, else the platform's config folder. */
export function defaultConfigDir(): string {
  if (process.env.AEZ_CONFIG_DIR) return process.env.AEZ_CONFIG_DIR;
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'AEZ');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'AEZ');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'aez');
}

export class SettingsStore {
  private current: Settings;

  private constructor(
    private readonly file: string,
    initial: Settings,
  ) {
    this.current = initial;
  }

  static async open(file: string, defaults: Partial<Settings> = {}): Promise<SettingsStore> {
    const base: Settings = { outputDir: defaultOutputDir(), runsDir: defaultRunsDir(), theme: 'system', format: 'png', model: 'photo', sigma: null, ...defaults };
    let stored: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (parsed && typeof parsed === 'object') stored = parsed as Record<string, unknown>;
    } catch {
      // No file yet, or unreadable: defaults.
    }
    const merged: Settings = { ...base };
    for (const key of Object.keys(base) as (keyof Settings)[]) {
      const field = settingsSchema.shape[key].safeParse(stored[key]);
      if (field.success) (merged as unknown as Record<string, unknown>)[key] = field.data;
    }
    return new SettingsStore(file, merged);
  }

  get(): Settings {
    return { ...this.current };
  }

  async update(raw: unknown): Promise<Settings> {
    const patch = parseArg(settingsPatchSchema, raw, 'settings');
    const next = { ...this.current, ...patch };
    await mkdir(dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, Buffer.from(JSON.stringify(next, null, 2) + '\n'), { overwrite: true });
    this.current = next;
    return this.get();
  }
}
