// Model hashes: the 16-byte hash a `.aez` header stores to name the exact model weights, and its hex form.
import { CodecError } from '../errors.js';
import { MODEL_HASH_BYTES } from './aez-types.js';

/** The 16-byte model hash for a model whose weights have SHA-256 `sha256Hex` (64 hex digits). */
export function modelHashFromSha256(sha256Hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/i.test(sha256Hex)) throw new CodecError('AEZ_ARGUMENT', `not a SHA-256 hex digest: ${sha256Hex}`);
  return Uint8Array.from(Buffer.from(sha256Hex.slice(0, 2 * MODEL_HASH_BYTES), 'hex'));
}

export function hashHex(hash: Uint8Array): string {
  return Buffer.from(hash).toString('hex');
}
