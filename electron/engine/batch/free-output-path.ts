// Output names beside an input or in the app's output folder: "<input name>-denoised.<ext>" (or "<input name>.aez": no
// suffix), with " (2)", " (3)"… when that name is taken, so a run never replaces an earlier result or an input.
import { access } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';

export async function freeOutputPath(dir: string, inputName: string, suffix: string, ext: string): Promise<string> {
  const stem = basename(inputName, extname(inputName));
  for (let n = 1; n < 10_000; n++) {
    const candidate = join(dir, `${stem}${suffix ? `-${suffix}` : ''}${n === 1 ? '' : ` (${n})`}.${ext}`);
    const taken = await access(candidate).then(
      () => true,
      () => false,
    );
    if (!taken) return candidate;
  }
  throw new Error(`no free output name for ${inputName} in ${dir}`);
}
