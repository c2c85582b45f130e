// Errors a user sees. Each carries a stable code (for --json output and the UI) and a message that names
// the file, says what went wrong and, where it can, what to do.
export type AezErrorCode =
  | 'INPUT_NOT_FOUND'
  | 'INPUT_UNREADABLE'
  | 'INPUT_EMPTY'
  | 'INPUT_CORRUPT'
  | 'INPUT_UNSUPPORTED'
  | 'INPUT_TOO_LARGE'
  | 'OUTPUT_IS_INPUT'
  | 'OUTPUT_DIR_MISSING'
  | 'OUTPUT_UNWRITABLE'
  | 'OUTPUT_EXISTS'
  | 'OUTPUT_FORMAT'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_CORRUPT'
  | 'BAD_ARGUMENT'
  | 'CANCELLED'
  | 'BACKEND'
  | 'QUEUE_UNREACHABLE'
  | 'PATH_NOT_ALLOWED';

export class AezError extends Error {
  constructor(
    readonly code: AezErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AezError';
  }
}

export function isCancelled(e: unknown): boolean {
  return e instanceof AezError && e.code === 'CANCELLED';
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function errorCode(e: unknown): AezErrorCode | 'INTERNAL' {
  return e instanceof AezError ? e.code : 'INTERNAL';
}

/** Throws AezError('CANCELLED') when the signal has fired (AbortSignal.throwIfAborted throws a DOMException). */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AezError('CANCELLED', 'cancelled');
}
