// What the renderer offers: the input types the engine reads, the output formats it writes.
import type { OutputFormat } from '../../../electron/shared/api.js';

// Images to denoise or compress, and .aez files to restore.
export const INPUT_EXTS = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif', '.gif', '.aez'];
export const INPUT_ACCEPT = INPUT_EXTS.join(',');

export const OUTPUT_FORMATS: { value: OutputFormat; label: string }[] = [
  { value: 'png', label: 'PNG (lossless)' },
  { value: 'webp', label: 'WebP' },
  { value: 'jpg', label: 'JPEG' },
  { value: 'avif', label: 'AVIF' },
  { value: 'tif', label: 'TIFF' },
];

/** Sizes in decimal units (kB = 1000 bytes) everywhere, the unit a target size is typed in and the CLI prints. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1000 ** 2) return `${(n / 1000).toFixed(1)} kB`;
  if (n < 1000 ** 3) return `${(n / 1000 ** 2).toFixed(1)} MB`;
  return `${(n / 1000 ** 3).toFixed(2)} GB`;
}

export function formatSeconds(s: number): string {
  return s < 10 ? `${s.toFixed(1)} s` : s < 120 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
