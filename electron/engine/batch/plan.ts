// Maps a command's inputs to output paths: files and folders in, one output per image, never an
// output that is an input. Shared by every batch command (denoise, compress, inpaint, restore).
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { AezError, errorMessage } from '../util/errors.js';
import { freeOutputPath } from './free-output-path.js';

export interface BatchItem {
  input: string;
  output: string;
}

export interface PlanOptions {
  /** Predicate for files to take from a folder. */
  accept: (path: string) => boolean;
  /** Extension (with dot) of outputs written into a folder. */
  defaultExt: string;
  /** Extensions (with dot) a single output file may have. */
  outputExts: readonly string[];
  /** Without an output: each result goes beside its input as "<name>-<suffix><defaultExt>" ("" = no suffix),
   *  numbered " (2)", " (3)"… when taken. Without this option an output is required. */
  besideSuffix?: string;
}

async function kind(path: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * Expands folders (their accepted files, not recursive) and decides outputs: one input file and an output
 * with an accepted extension is file-to-file; otherwise the output is a folder (made, parents too, when it
 * does not exist), and each output keeps its input's base name with `defaultExt` (or the extension given by
 * `--format`). Without an output, each result goes beside its input under a free name (opts.besideSuffix).
 */
export async function planBatch(inputs: string[], output: string | undefined, opts: PlanOptions): Promise<BatchItem[]> {
  if (inputs.length === 0) throw new AezError('BAD_ARGUMENT', 'no input given');
  const files: string[] = [];
  let sawDir = false;
  for (const raw of inputs) {
    const p = resolve(raw);
    const k = await kind(p);
    if (k === 'missing') throw new AezError('INPUT_NOT_FOUND', `${raw}: no such file or folder`);
    if (k === 'dir') {
      sawDir = true;
      const names = (await readdir(p)).filter((n) => !n.startsWith('.')).sort();
      const accepted = names.map((n) => join(p, n)).filter(opts.accept);
      if (accepted.length === 0) throw new AezError('INPUT_NOT_FOUND', `${raw}: folder holds no files this command can read`);
      files.push(...accepted);
    } else {
      files.push(p);
    }
  }
  if (output === undefined) {
    if (opts.besideSuffix === undefined) throw new AezError('BAD_ARGUMENT', 'no output given');
    const ext = opts.defaultExt.replace(/^\./, '');
    const items: BatchItem[] = [];
    for (const f of files) items.push({ input: f, output: await freeOutputPath(dirname(f), basename(f), opts.besideSuffix, ext) });
    // Two inputs that differ only in extension (photo.png, photo.jpg) would be given the same free name.
    const taken = new Set<string>();
    for (const item of items) {
      let n = 2;
      const stem = item.output.slice(0, -(ext.length + 1));
      while (taken.has(item.output)) item.output = `${stem} (${n++}).${ext}`;
      taken.add(item.output);
    }
    return items;
  }
  const out = resolve(output);
  const outKind = await kind(out);
  const outExt = extname(out).toLowerCase();
  const single = files.length === 1 && !sawDir && outKind !== 'dir' && !output.endsWith('/');
  if (single) {
    if (!opts.outputExts.includes(outExt)) {
      const want = opts.outputExts.length === 1 ? `name it with ${opts.outputExts[0]}` : `use one of ${opts.outputExts.join(', ')}`;
      throw new AezError('OUTPUT_FORMAT', `${output}: cannot tell the output format from "${outExt || 'no extension'}"; ${want}`);
    }
    return [{ input: files[0], output: out }];
  }
  if (outKind === 'missing') {
    try {
      await mkdir(out, { recursive: true });
    } catch (e) {
      throw new AezError('OUTPUT_UNWRITABLE', `cannot create the output folder ${output}: ${errorMessage(e)}`);
    }
  }
  if (outKind === 'file') throw new AezError('BAD_ARGUMENT', `${output} is a file, but several inputs need an output folder`);
  const seen = new Map<string, string>();
  return files.map((f) => {
    const name = basename(f, extname(f)) + opts.defaultExt;
    const prev = seen.get(name);
    if (prev) throw new AezError('BAD_ARGUMENT', `${f} and ${prev} would both be written to ${name}: rename one or run them separately`);
    seen.set(name, f);
    return { input: f, output: join(out, name) };
  });
}
