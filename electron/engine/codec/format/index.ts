// The `.aez` container (format version 1). Spec: docs/aez-format.md.
export * from './aez-file.js';
export { crc32 } from './crc32.js';
