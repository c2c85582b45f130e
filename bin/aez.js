#!/usr/bin/env node
// Launcher for the compiled CLI (npm install builds it into dist/ through the "prepare" script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const main = new URL('../dist/electron/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('aez: the CLI is not built yet. Run "npm install" (or "npm run build") in the AEZ folder first.');
  process.exit(2);
}
await import(main.href);
