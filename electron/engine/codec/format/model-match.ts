// Matching a `.aez` file to an installed model: the file names its model by id and hash, and requireModel
// finds that exact model or says which one is needed.
import { CodecError } from '../errors.js';
import { MODEL_HASH_BYTES, type AezHeader } from './aez-types.js';
import { hashHex } from './model-hash.js';

export interface InstalledModel {
  id: string;
  /** SHA-256 of the weights (64 hex digits) or the 16-byte model hash. */
  hash: string | Uint8Array;
}

/**
 * Throws CodecError('AEZ_MODEL_MISSING') unless a model with the header's id and hash is installed:
 * "needs model X (hash …), not installed".
 */
export function requireModel(header: Pick<AezHeader, 'modelId' | 'modelHash'>, installed: readonly InstalledModel[]): InstalledModel {
  const want = hashHex(header.modelHash);
  const norm = (h: string | Uint8Array): string => (typeof h === 'string' ? h.toLowerCase().slice(0, 2 * MODEL_HASH_BYTES) : hashHex(h));
  const hit = installed.find((m) => m.id === header.modelId && norm(m.hash) === want);
  if (hit) return hit;
  const sameId = installed.find((m) => m.id === header.modelId);
  const extra = sameId ? ` (the installed '${sameId.id}' has hash ${norm(sameId.hash)}: a different version)` : '';
  throw new CodecError('AEZ_MODEL_MISSING', `needs model ${header.modelId} (hash ${want}), not installed${extra}`);
}
