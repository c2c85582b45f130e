// The command line answers at once: `aez --help` and `aez info` load none of the heavy packages (TensorFlow.js
// alone took half a second to import, and every command paid for it), and npm prints no warning of its own on
// `npm exec aez` (the project's .npmrc once held a key npm does not know).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

function heavyImports(args: string[]): { heavy: string[]; stdout: string; status: number | null } {
  const r = spawnSync(process.execPath, ['--import', resolve('test/fixtures/trace-heavy-imports.mjs'), resolve('bin/aez.js'), ...args], { encoding: 'utf8' });
  const line = /heavy-imports: (.*)/.exec(r.stderr);
  assert.ok(line, r.stderr);
  return { heavy: JSON.parse(line[1]) as string[], stdout: r.stdout, status: r.status };
}

test('aez --help loads no heavy package', () => {
  const r = heavyImports(['--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: aez/);
  assert.deepEqual(r.heavy, []);
});

test('aez denoise --help and aez train --help load no heavy package either', () => {
  for (const cmd of ['denoise', 'train', 'compress', 'doctor']) assert.deepEqual(heavyImports([cmd, '--help']).heavy, [], cmd);
});

test('a real command still loads what it needs (the trace works)', () => {
  const r = heavyImports(['doctor', '--json']);
  assert.equal(r.status, 0);
  assert.ok(r.heavy.includes('sharp') && r.heavy.includes('onnxruntime-node'), JSON.stringify(r.heavy));
});

test('npm exec aez prints no npm warning', () => {
  const r = spawnSync('npm', ['exec', '--', 'aez', '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /npm warn/i);
});
