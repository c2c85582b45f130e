// Errors from the codec core (entropy coder and `.aez` container). A CodecError is an AezError, so the CLI,
// `--json` output and the UI treat it like every other user-facing error (`code` is one of AezError's
// codes); `reason` is the codec's own, finer code for tests and for `aez info`, and `chunk`/`tile` say
// where in a file the problem is when that is known.
import { AezError, type AezErrorCode } from '../util/errors.js';

export type CodecReason =
  | 'AEZ_BAD_MAGIC' // not an .aez file
  | 'AEZ_VERSION' // an .aez file of a format version this build does not read
  | 'AEZ_TRUNCATED' // the file ends early (inside a chunk, or before the end chunk)
  | 'AEZ_CRC' // a chunk's CRC32 does not match: the file is damaged
  | 'AEZ_HEADER' // the header chunk holds impossible values
  | 'AEZ_STRUCTURE' // chunks missing, duplicated, out of order, malformed, or bytes after the end
  | 'AEZ_UNKNOWN_CHUNK' // a critical chunk this build does not know (written by a newer AEZ)
  | 'AEZ_TOO_LARGE' // within the format but beyond this reader's limits (pixels, tiles, metadata)
  | 'AEZ_MODEL_MISSING' // the model the file names is not installed (or has other weights)
  | 'AEZ_STREAM' // an entropy-coded stream is corrupt
  | 'AEZ_ARGUMENT'; // a programming error: invalid values handed to an encoder or writer

const AEZ_CODE: Record<CodecReason, AezErrorCode> = {
  AEZ_BAD_MAGIC: 'INPUT_UNSUPPORTED',
  AEZ_VERSION: 'INPUT_UNSUPPORTED',
  AEZ_TRUNCATED: 'INPUT_CORRUPT',
  AEZ_CRC: 'INPUT_CORRUPT',
  AEZ_HEADER: 'INPUT_CORRUPT',
  AEZ_STRUCTURE: 'INPUT_CORRUPT',
  AEZ_UNKNOWN_CHUNK: 'INPUT_UNSUPPORTED',
  AEZ_TOO_LARGE: 'INPUT_TOO_LARGE',
  AEZ_MODEL_MISSING: 'MODEL_NOT_FOUND',
  AEZ_STREAM: 'INPUT_CORRUPT',
  AEZ_ARGUMENT: 'BAD_ARGUMENT',
};

export interface CodecErrorWhere {
  /** The chunk type, e.g. 'YLAT'. */
  chunk?: string;
  /** 0-based tile index, for per-tile chunks. */
  tile?: number;
  /** Byte offset in the file where the problem was found. */
  offset?: number;
}

export class CodecError extends AezError {
  readonly chunk?: string;
  readonly tile?: number;
  readonly offset?: number;

  constructor(
    readonly reason: CodecReason,
    message: string,
    where: CodecErrorWhere = {},
  ) {
    super(AEZ_CODE[reason], message);
    this.name = 'CodecError';
    this.chunk = where.chunk;
    this.tile = where.tile;
    this.offset = where.offset;
  }
}

export function isCodecError(e: unknown, reason?: CodecReason): e is CodecError {
  return e instanceof CodecError && (reason === undefined || e.reason === reason);
}
