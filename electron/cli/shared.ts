// Small pieces every CLI command uses.
import { AezError } from '../engine/util/errors.js';

export interface GlobalOptions {
  backend?: string;
  threads?: number;
}

export function parseNumber(raw: string, flag: string, min: number, max: number): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max) throw new AezError('BAD_ARGUMENT', `${flag} must be a number from ${min} to ${max}, got "${raw}"`);
  return v;
}

/** An AbortSignal fired by Ctrl-C (first press cancels cleanly; a second press exits at once). */
export function interruptSignal(onAbort?: () => void): AbortSignal {
  const ctl = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\ncancelling… (press Ctrl-C again to quit at once)\n');
    ctl.abort();
    onAbort?.();
    process.once('SIGINT', () => process.exit(130));
  });
  process.once('SIGTERM', () => {
    ctl.abort();
    onAbort?.();
  });
  return ctl.signal;
}
