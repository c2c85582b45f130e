// The output formats a user can name, in one list for every front end: the CLI's --format, the job specs,
// the app's format menu (electron/shared/api.ts re-exports the type). Canonical names are the short file
// extensions; `jpeg` and `tiff` are accepted spellings. The encoder's own names are io.ts's EncoderFormat.
import { AezError } from '../util/errors.js';

export const OUTPUT_FORMATS = ['png', 'jpg', 'webp', 'tif', 'avif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const SPELLINGS: Record<string, OutputFormat> = { png: 'png', jpg: 'jpg', jpeg: 'jpg', webp: 'webp', tif: 'tif', tiff: 'tif', avif: 'avif' };

/** Every accepted spelling (png, jpg, jpeg, …). */
export const OUTPUT_FORMAT_NAMES = Object.keys(SPELLINGS) as [string, ...string[]];

/** File extensions (with the dot) an image output may have. */
export const IMAGE_OUTPUT_EXTS = OUTPUT_FORMAT_NAMES.map((n) => `.${n}`);

/** The canonical format for a name the user typed (`.JPEG` → `jpg`); OUTPUT_FORMAT error otherwise. */
export function parseOutputFormat(name: string, flag = 'format'): OutputFormat {
  const key = name.replace(/^\./, '').toLowerCase();
  const f = Object.hasOwn(SPELLINGS, key) ? SPELLINGS[key] : undefined;
  if (!f) throw new AezError('OUTPUT_FORMAT', `${flag} ${name}: choose one of ${OUTPUT_FORMATS.join(', ')}`);
  return f;
}
