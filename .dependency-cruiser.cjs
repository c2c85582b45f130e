// The house rules for imports (docs/architecture.md draws them), checked by `npm run check` (and so by
// `npm test`): no import cycles; the engine knows nothing of the front ends; only the desktop shell imports
// Electron; the renderer reaches the main process only through electron/shared; and inside the engine every
// import points down the layer list below (a folder may import its own layer and the ones before it).

/** The engine's layers, bottom first. A path belongs to the first layer whose pattern matches it. */
const ENGINE_LAYERS = [
  ['util'],
  ['image', 'data', 'onnx', 'workers', 'codec/errors\\.ts'],
  ['nn', 'codec/entropy'],
  ['codec/format', 'codec/model'],
  ['models', 'tfjs'],
  ['inference'],
  ['denoise', 'inpaint', 'batch', 'codec'],
  ['train'],
  ['explorer'],
  ['jobs', 'diagnostics'],
  ['queue'],
];

const E = '^electron/engine/';
const pattern = (parts) => `${E}(${parts.join('|')})(/|$)`;

// For each layer: nothing in it imports a folder of a higher layer. A later layer's folder pattern can also match
// a lower layer's path (`codec` matches `codec/model/...`), so the rule names the higher layer's paths minus
// every path claimed by this layer or a lower one.
const layerRules = ENGINE_LAYERS.slice(0, -1).map((layer, i) => {
  const lowerOrSame = ENGINE_LAYERS.slice(0, i + 1).flat();
  return {
    name: `engine-layer-${i}-imports-down`,
    comment: `electron/engine/{${layer.join(', ')}} may import only its own layer and those below it (${lowerOrSame.join(', ')})`,
    severity: 'error',
    from: i === 0 ? { path: pattern(layer) } : { path: pattern(layer), pathNot: pattern(ENGINE_LAYERS.slice(0, i).flat()) },
    to: { path: pattern(ENGINE_LAYERS.slice(i + 1).flat()), pathNot: pattern(lowerOrSame) },
  };
});

// The features share what lies below them, not each other (a type two of them need moves down a layer).
const FEATURES = ['denoise', 'inpaint', 'batch', 'codec'];
const featureRules = FEATURES.map((f) => ({
  name: `feature-${f}-apart`,
  severity: 'error',
  comment: `electron/engine/${f} imports no other feature (${FEATURES.filter((g) => g !== f).join(', ')})`,
  from: { path: `${E}${f}/` },
  to: { path: pattern(FEATURES.filter((g) => g !== f)) },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'import cycles make the load order matter and the layers meaningless', from: {}, to: { circular: true } },
    {
      name: 'engine-free-of-front-ends',
      severity: 'error',
      comment: 'the engine runs from the CLI, tests, aez serve and workers: it imports no front end and not Electron',
      from: { path: E },
      to: { path: ['^electron/(cli|host|server|ipc|shared)/', '^electron/(main|preload)\\.ts$', '^renderer/'] },
    },
    {
      name: 'electron-only-in-the-shell',
      severity: 'error',
      comment: 'only the desktop shell (main.ts, preload.ts, ipc/) imports Electron',
      from: { pathNot: ['^electron/(main|preload)\\.ts$', '^electron/ipc/'] },
      to: { path: '^node_modules/electron/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'shared-is-the-contract',
      severity: 'error',
      comment: 'electron/shared is what the renderer and the main process agree on; it imports neither side (types of the engine aside: one vocabulary, erased from the bundle)',
      from: { path: '^electron/shared/' },
      to: { path: ['^electron/(engine|cli|host|server|ipc)/', '^renderer/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'renderer-through-shared',
      severity: 'error',
      comment: 'the renderer reaches the main process only through electron/shared',
      from: { path: '^renderer/' },
      to: { path: '^electron/', pathNot: '^electron/shared/' },
    },
    {
      name: 'front-ends-apart',
      severity: 'error',
      comment: 'the CLI stands on the engine alone; `aez serve` starts the web host through its entry point only',
      from: { path: '^electron/cli/' },
      to: { path: '^electron/(host|server|ipc)/', pathNot: '^electron/server/serve\\.ts$' },
    },
    {
      name: 'host-below-transports',
      severity: 'error',
      comment: 'the app service does not know which transport (HTTP server or Electron IPC) carries it, nor the CLI',
      from: { path: '^electron/host/' },
      to: { path: '^electron/(server|ipc|cli)/' },
    },
    ...featureRules,
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^node_modules/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
