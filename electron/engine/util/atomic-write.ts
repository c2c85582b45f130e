// Atomic file output. A file the engine writes either appears complete under its final name or not at
// all: the bytes go to a temporary file in the same folder (so the final rename never crosses file
// systems), are fsynced, and only then renamed into place. A failure removes the temporary file.
import { randomBytes } from 'node:crypto';
import { link, lstat, open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AezError } from './errors.js';

/** Prefix of the temporary files; anything left with this name after a crash is safe to delete. */
export const TEMP_PREFIX = '.aez-tmp-';

export interface AtomicWriteOptions {
  /** Replace an existing file at `path` (default true). With false an existing file is never touched:
   *  AezError OUTPUT_EXISTS, decided atomically (hard link) where the file system allows it. */
  overwrite?: boolean;
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/** Turn a file-system error while writing `target` into the AezError a user should see. */
export function outputError(e: unknown, target: string): AezError {
  if (e instanceof AezError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  switch (errnoCode(e)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new AezError('OUTPUT_DIR_MISSING', `Cannot write ${target}: the folder ${dirname(target)} does not exist. Create it first.`);
    case 'EACCES':
    case 'EPERM':
      return new AezError('OUTPUT_UNWRITABLE', `Cannot write ${target}: permission denied. Choose a folder you can write to.`);
    case 'EROFS':
      return new AezError('OUTPUT_UNWRITABLE', `Cannot write ${target}: the file system is read-only.`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new AezError('OUTPUT_UNWRITABLE', `Cannot write ${target}: the disk is full.`);
    case 'EISDIR':
      return new AezError('OUTPUT_UNWRITABLE', `Cannot write ${target}: a folder with that name already exists.`);
    case 'EEXIST':
      return new AezError('OUTPUT_EXISTS', `${target} already exists; choose another name, or allow replacing it (--overwrite on the command line).`);
    case 'ENAMETOOLONG':
      return new AezError('OUTPUT_UNWRITABLE', `Cannot write ${target}: the name is too long.`);
    default:
      return new AezError('OUTPUT_UNWRITABLE', `Cannot write ${target}: ${msg}`);
  }
}

/** The output's folder must exist and be a folder; checked up front so the message is precise. */
export async function assertOutputDir(target: string): Promise<void> {
  const abs = resolve(target);
  const dir = dirname(abs);
  let st;
  try {
    st = await stat(dir);
  } catch (e) {
    throw outputError(e, abs);
  }
  if (!st.isDirectory()) throw new AezError('OUTPUT_DIR_MISSING', `Cannot write ${abs}: ${dir} is not a folder.`);
}

const isWindows = process.platform === 'win32';

async function renameWithRetry(from: string, to: string): Promise<void> {
  // On Windows a virus scanner or indexer can hold the target open for a moment; retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (e) {
      const code = errnoCode(e);
      if (!isWindows || attempt >= 5 || (code !== 'EPERM' && code !== 'EBUSY' && code !== 'EACCES')) throw e;
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
  }
}

/** Move `tmp` to `target` only if `target` does not exist. */
async function placeNoClobber(tmp: string, target: string): Promise<void> {
  try {
    await link(tmp, target); // fails with EEXIST atomically if something is there
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'EEXIST') throw e;
    // File systems without hard links (FAT, some network shares): check, then rename. Not atomic
    // against a concurrent writer, but still never replaces a file that was there when we looked.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EXDEV' || code === 'EMLINK') {
      const exists = await lstat(target).then(
        () => true,
        () => false,
      );
      if (exists) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
      await renameWithRetry(tmp, target);
      return;
    }
    throw e;
  }
  await unlink(tmp).catch(() => undefined); // the data is in place under its final name either way
}

async function fsyncDir(dir: string): Promise<void> {
  if (isWindows) return; // directories cannot be opened for fsync there
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // best effort: some file systems refuse fsync on a directory
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * Write `data` to `path` atomically: temp file `.aez-tmp-*` in the same folder, fsync, rename.
 * Errors: OUTPUT_DIR_MISSING (no such folder), OUTPUT_UNWRITABLE (permission, read-only, disk full, a
 * folder in the way), OUTPUT_EXISTS (only with `overwrite: false`). The temp file never outlives a failure.
 */
export async function writeFileAtomic(path: string, data: Buffer | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const overwrite = opts.overwrite ?? true;
  const target = resolve(path);
  const dir = dirname(target);
  const tmp = join(dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'wx', 0o666);
  } catch (e) {
    throw outputError(e, target);
  }
  try {
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    if (overwrite) await renameWithRetry(tmp, target);
    else await placeNoClobber(tmp, target);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw outputError(e, target);
  }
  await fsyncDir(dir);
}

async function statOrUndefined(p: string) {
  try {
    return await stat(p, { bigint: true });
  } catch {
    return undefined;
  }
}

async function realpathOr(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    return p;
  }
}

/**
 * OUTPUT_IS_INPUT when writing `output` would overwrite `input`: same path after resolving, the same
 * file reached through a symlink or hard link (device + inode, when the output exists), or the same
 * real path when it does not exist yet (symlinked folders).
 */
export async function assertNotSameFile(input: string, output: string): Promise<void> {
  const inAbs = resolve(input);
  const outAbs = resolve(output);
  const same = () =>
    new AezError('OUTPUT_IS_INPUT', `The output ${output} is the input file ${input}; refusing to overwrite the original. Choose another output name.`);
  if (inAbs === outAbs) throw same();
  const outSt = await statOrUndefined(outAbs);
  if (outSt) {
    const inSt = await statOrUndefined(inAbs);
    // An inode of 0 means the file system does not provide one (FAT on Windows); fall through to paths.
    if (inSt && inSt.ino !== 0n && inSt.dev === outSt.dev && inSt.ino === outSt.ino) throw same();
    if (inSt && inSt.ino !== 0n) return;
  }
  const inReal = await realpathOr(inAbs);
  const outReal = outSt ? await realpathOr(outAbs) : join(await realpathOr(dirname(outAbs)), basename(outAbs));
  // (No case folding: on a case-insensitive volume an output differing only in case exists, and the
  // inode comparison above has already caught it.)
  if (inReal === outReal) throw same();
}
