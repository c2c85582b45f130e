// The files the renderer may name. Only paths the user handed over (dialog, drop, paste, command line,
// upload) or outputs the host wrote can be previewed or processed: the renderer cannot read arbitrary
// files by inventing a path.
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { AddResult, InputFile, Rejected } from '../shared/api.js';
import { isInputImagePath, INPUT_EXTENSIONS, probeImage } from '../engine/image/io.js';
import { readAezFile } from '../engine/codec/decompress-file.js';
import { errorMessage } from '../engine/util/errors.js';

/** What the app takes: images (to denoise or compress) and .aez files (to restore). */
function accepted(path: string): boolean {
  return isInputImagePath(path) || path.toLowerCase().endsWith('.aez');
}

const SUPPORTED = INPUT_EXTENSIONS.map((e) => e.slice(1).toUpperCase()).join(', ') + ', or .aez files';

/**
 * Why a file cannot be used, found when it is added rather than when it runs: an image's header (probed, not
 * decoded) or an .aez file's structure and CRCs (small files, read whole). Undefined when it is fine.
 */
async function checkFile(path: string, name: string): Promise<string | undefined> {
  try {
    if (path.toLowerCase().endsWith('.aez')) await readAezFile(path);
    else await probeImage(path);
    return undefined;
  } catch (e) {
    // The engine names the file by its path; an upload's temporary path means nothing to the user.
    return errorMessage(e).split(path).join(name);
  }
}

export class InputRegistry {
  private readonly known = new Map<string, { name: string; uploaded: boolean }>();
  private sessionDir: string | undefined;
  private uploads = 0;

  /** Accept paths from the user: folders give their images (not recursive), other files must be images. */
  async addPaths(paths: string[]): Promise<AddResult> {
    const files: InputFile[] = [];
    const rejected: Rejected[] = [];
    for (const raw of paths) {
      const p = resolve(raw);
      let st;
      try {
        st = await stat(p);
      } catch {
        rejected.push({ name: basename(p), reason: `${p} does not exist or cannot be read.` });
        continue;
      }
      if (st.isDirectory()) {
        const names = (await readdir(p).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
        const images = names.filter((n) => accepted(n));
        if (images.length === 0) rejected.push({ name: basename(p), reason: `The folder ${p} holds no images AEZ can read (${SUPPORTED}).` });
        for (const n of images) {
          const f = join(p, n);
          const s = await stat(f).catch(() => undefined);
          if (!s?.isFile()) continue;
          const problem = await checkFile(f, n);
          if (problem) rejected.push({ name: n, reason: problem });
          else files.push(this.remember(f, n, s.size, false));
        }
      } else if (!accepted(p)) {
        rejected.push({ name: basename(p), reason: unsupportedReason(basename(p)) });
      } else {
        const problem = await checkFile(p, basename(p));
        if (problem) rejected.push({ name: basename(p), reason: problem });
        else files.push(this.remember(p, basename(p), st.size, false));
      }
    }
    return { files, rejected };
  }

  /** Store bytes the renderer sent (twin uploads, pasted images) in this session's own temp folder. */
  async importBytes(name: string, bytes: Uint8Array): Promise<AddResult> {
    if (!accepted(name)) return { files: [], rejected: [{ name, reason: unsupportedReason(name) }] };
    if (bytes.length === 0) return { files: [], rejected: [{ name, reason: `${name} is empty (0 bytes).` }] };
    this.sessionDir ??= await mkdtemp(join(tmpdir(), 'aez-session-'));
    // One sub-folder per upload keeps the user's file name (outputs are named after it) without clashes.
    const dir = join(this.sessionDir, String(++this.uploads));
    await mkdir(dir);
    const path = join(dir, name);
    await writeFile(path, bytes, { flag: 'wx' });
    const problem = await checkFile(path, name);
    if (problem) {
      await rm(dir, { recursive: true, force: true });
      return { files: [], rejected: [{ name, reason: problem }] };
    }
    return { files: [this.remember(path, name, bytes.length, true)], rejected: [] };
  }

  rememberOutput(path: string): void {
    this.known.set(resolve(path), { name: basename(path), uploaded: false });
  }

  isKnown(path: string): boolean {
    return this.known.has(resolve(path));
  }

  /** Messages from the engine name the file by path; for uploads the temp path means nothing to the user. */
  describe(path: string): string {
    const k = this.known.get(resolve(path));
    return k?.uploaded ? k.name : path;
  }

  humanise(message: string): string {
    let out = message;
    for (const [p, k] of this.known) if (k.uploaded && out.includes(p)) out = out.split(p).join(k.name);
    return out;
  }

  async dispose(): Promise<void> {
    if (this.sessionDir) await rm(this.sessionDir, { recursive: true, force: true }).catch((e) => console.error(`aez: could not remove ${this.sessionDir}: ${errorMessage(e)}`));
  }

  private remember(path: string, name: string, size: number, uploaded: boolean): InputFile {
    this.known.set(path, { name, uploaded });
    return { path, name, size };
  }
}

function unsupportedReason(name: string): string {
  return `${name} is not an image type AEZ reads. Use ${SUPPORTED}.`;
}
