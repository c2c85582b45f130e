// AEZ codec core: entropy coding (entropy/) and the .aez container (format/). The learned transforms plug
// in on top: they produce integer latents and table indexes, these modules turn them into bytes and back.
export * from './errors.js';
export * as entropy from './entropy/index.js';
export * as format from './format/index.js';
