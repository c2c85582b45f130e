// Which files AEZ reads as images, by extension (kept apart from image/io.ts so that deciding does not load sharp).
import { extname } from 'node:path';

export const INPUT_EXTENSIONS: readonly string[] = Object.freeze(['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif', '.gif']);

/** True when the name's extension is one of INPUT_EXTENSIONS (case-insensitive). */
export function isInputImagePath(path: string): boolean {
  return INPUT_EXTENSIONS.includes(extname(path).toLowerCase());
}
