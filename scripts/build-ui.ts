// Builds what tsc cannot: the Svelte renderer (dist/renderer) and the sandboxed preload, which must be a
// single CommonJS file (dist/preload/preload.cjs) because a sandboxed preload cannot load other modules.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = fileURLToPath(new URL('../..', import.meta.url)); // dist/scripts/build-ui.js → repository
const at = (p: string) => fileURLToPath(new URL(p, new URL(`file://${root}/`)));

await build({
  configFile: false,
  root: at('renderer'),
  base: './',
  logLevel: 'warn',
  plugins: [svelte()],
  build: { outDir: at('dist/renderer'), emptyOutDir: true, target: 'chrome120', reportCompressedSize: false },
});

await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    outDir: at('dist/preload'),
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    reportCompressedSize: false,
    lib: { entry: at('electron/preload.ts'), formats: ['cjs'], fileName: () => 'preload.cjs' },
    rollupOptions: { external: ['electron'] },
  },
});
