// Entropy coding for AEZ: rANS over integer CDF tables, the fixed Gaussian-conditional tables and
// per-channel factorized tables. See rans.ts for the stream format, cdf.ts for tables.
export * from './cdf.js';
export * from './rans.js';
export * from './gaussian.js';
export * from './factorized.js';
