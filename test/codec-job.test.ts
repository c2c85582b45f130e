// Compress and restore as engine jobs (what the app's host runs): they run on the codec's worker thread,
// report progress, and a cancelled job stops at once and leaves no output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { JobService, type JobServiceEvent } from '../electron/engine/jobs/job-service.js';
import { tempDir } from './helpers.js';
import { saveTinyCodec } from './codec-helpers.js';

test('compress then restore through JobService; cancelling a long compress leaves nothing behind', async () => {
  const dir = await tempDir();
  const models = join(dir, 'models');
  await saveTinyCodec(join(models, 'codec'));
  process.env.AEZ_MODELS_DIR = models;
  const small = join(dir, 'small.png');
  const big = join(dir, 'big.png');
  await sharp({ create: { width: 120, height: 90, channels: 3, background: '#3a6' } }).png().toFile(small);
  await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).png().toFile(big);
  const service = new JobService({ threads: 1, backend: 'wasm' });
  try {
    const c = service.start({ kind: 'compress', inputs: [small], output: join(dir, 'small.aez'), quality: 2 });
    const progress: number[] = [];
    c.events.on('event', (e: JobServiceEvent) => e.type === 'item-progress' && progress.push(e.fraction));
    const [r] = await c.done;
    assert.ok(r.ok, JSON.stringify(r.error));
    assert.ok(progress.length > 0 && progress.at(-1) === 1);
    const d = service.start({ kind: 'decompress', inputs: [join(dir, 'small.aez')], output: join(dir, 'small-restored.png') });
    const [rd] = await d.done;
    assert.ok(rd.ok, JSON.stringify(rd.error));
    assert.equal((await sharp(join(dir, 'small-restored.png')).metadata()).width, 120);

    const long = service.start({ kind: 'compress', inputs: [big], output: join(dir, 'big.aez'), quality: 2 });
    long.events.on('event', (e: JobServiceEvent) => e.type === 'item-progress' && e.fraction > 0 && long.cancel());
    const [rc] = await long.done;
    assert.equal(rc.ok, false);
    assert.equal(rc.error?.code, 'CANCELLED');
    assert.ok(!(await readdir(dir)).some((n) => n.startsWith('big.aez') || n.startsWith('.aez-tmp')), 'no output, no temporary file');
    // The worker restarts for the next job.
    const again = service.start({ kind: 'compress', inputs: [small], output: join(dir, 'again.aez'), quality: 1 });
    assert.ok((await again.done)[0].ok);
  } finally {
    await service.close();
    delete process.env.AEZ_MODELS_DIR;
  }
});
