// "50KB", "1.5 MB", "64KiB", "20000" → bytes (k/M/G = 1000s, Ki/Mi/Gi = 1024s).
import { AezError } from '../engine/util/errors.js';

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, k: 1e3, mb: 1e6, m: 1e6, gb: 1e9, g: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

export function parseSize(raw: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new AezError('BAD_ARGUMENT', `${flag} "${raw}": write a size such as 50KB, 1.5MB, 64KiB or 20000 (bytes)`);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (!(bytes >= 1 && bytes <= 2 ** 40)) throw new AezError('BAD_ARGUMENT', `${flag} "${raw}" is out of range`);
  return bytes;
}
