// The repository root seen from a compiled script (dist/scripts/x.js) or a source one: the nearest folder
// upwards that holds package.json; the working directory if none does.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function repoRoot(scriptPath: string): string {
  let dir = dirname(scriptPath);
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}
