// Regenerates electron/engine/codec/entropy/gaussian-tables.generated.ts from gaussian-gen.ts.
//   npm run build && node dist/scripts/gen-cdf-tables.js [--check]
// With --check it only compares and exits 1 if the file differs (the codec-entropy test does the same).
// The computation is deterministic (no Math.exp/log/erf), so any machine produces the same file. Changing
// the tables changes how every existing .aez file decodes: never do it within format version 1.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildGaussianTables, renderGaussianTables } from '../electron/engine/codec/entropy/gaussian-gen.js';

const target = resolve('electron/engine/codec/entropy/gaussian-tables.generated.ts');
const text = renderGaussianTables(buildGaussianTables());
if (process.argv.includes('--check')) {
  const same = readFileSync(target, 'utf8') === text;
  console.log(same ? 'gaussian tables: up to date' : 'gaussian tables: DIFFER from the generator');
  process.exit(same ? 0 : 1);
}
writeFileSync(target, text);
console.log(`wrote ${target} (${text.length} chars)`);
