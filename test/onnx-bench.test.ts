// scripts/bench-engines.ts on a tiny image and model: both engines measured, the section written between
// its markers, the rest of docs/benchmarks.md left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { MARK_END, MARK_START, spliceSection } from '../scripts/bench-engines.js';
import { saveTinyModel, tempDir, TINY_SCAN } from './helpers.js';

const run = promisify(execFile);

test('spliceSection replaces only its own section, or appends one', () => {
  const sec = `${MARK_START}\nnew\n${MARK_END}`;
  assert.equal(spliceSection('', sec), `# Benchmarks\n\n${sec}\n`);
  assert.equal(spliceSection('# B\n\n## Other\nx\n', sec), `# B\n\n## Other\nx\n\n${sec}\n`);
  const doc = `# B\n\n${MARK_START}\nold\n${MARK_END}\n\n## After\ny\n`;
  assert.equal(spliceSection(doc, sec), `# B\n\n${sec}\n\n## After\ny\n`);
});

test('bench-engines smoke run: seconds per megapixel on both engines, written between the markers', async () => {
  const dir = await tempDir();
  const model = await saveTinyModel(join(dir, 'tiny-scan'), TINY_SCAN);
  const out = join(dir, 'benchmarks.md');
  await writeFile(out, '# Benchmarks\n\n## Denoising\nkeep me\n');
  const env = { ...process.env };
  delete env.AEZ_BACKEND;
  await run(process.execPath, [resolve('dist/scripts/bench-engines.js'), '--model', model, '--size', '64x48', '--repeat', '1', '--threads', '2', '--out', out], { env });
  const doc = await readFile(out, 'utf8');
  assert.match(doc, /## Denoising\nkeep me\n/);
  const sec = doc.slice(doc.indexOf(MARK_START), doc.indexOf(MARK_END));
  assert.match(sec, /Smoke run/);
  const row = sec.split('\n').find((l) => l.startsWith('| tiny-scan |'));
  assert.ok(row, sec);
  const cells = row.split('|').map((c) => c.trim()).filter(Boolean);
  for (const c of [cells[3], cells[4], cells[6], cells[7], cells[9]]) assert.ok(Number(c) > 0, `${c} in ${row}`);
  assert.match(cells[5], /^\d+\.\d×$/);
});
