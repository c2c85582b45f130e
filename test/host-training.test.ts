// Train mode in the host (shared by Electron's IPC and the twin's HTTP routes): every argument validated
// before a file is touched, new runs never into a folder of other files, one run at a time, and model
// export that never replaces an existing model and makes the model pickable in Denoise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AezHost } from '../electron/host/host.js';
import { SettingsStore } from '../electron/host/settings-store.js';
import { listInstalledModels } from '../electron/engine/models/registry.js';
import type { TrainEvent } from '../electron/shared/api.js';
import { gradientImage, saveTinyModel, TINY_PHOTO, writePng } from './helpers.js';

let root: string;
let host: AezHost;
let runs: string;
let models: string;
const savedModelsDir = process.env.AEZ_MODELS_DIR;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'aez-host-train-'));
  runs = join(root, 'runs');
  models = join(root, 'models');
  await mkdir(models);
  process.env.AEZ_MODELS_DIR = models;
  await saveTinyModel(join(models, 'photo'), TINY_PHOTO);
  const settings = await SettingsStore.open(join(root, 'config', 'settings.json'), { outputDir: join(root, 'out'), runsDir: runs });
  host = new AezHost({ settings, threads: 1 });
});

after(async () => {
  await host?.close();
  await rm(root, { recursive: true, force: true });
  if (savedModelsDir === undefined) delete process.env.AEZ_MODELS_DIR;
  else process.env.AEZ_MODELS_DIR = savedModelsDir;
});

test('training requests are validated before anything is written', async () => {
  const t = host.training;
  const bad = async (req: unknown, re: RegExp) => assert.rejects(t.start(req), re);
  await bad({ run: 'a', task: 'photo', data: ['relative/photos'], steps: 5 }, /data\.0: must be an absolute folder path/);
  await bad({ run: '../escape', task: 'photo', data: [root], steps: 5 }, /run: must be a run name/);
  await bad({ run: 'a/b', task: 'photo', data: [root], steps: 5 }, /run: must be a run name/);
  await bad({ run: 'a', task: 'photo', data: [root], steps: 0 }, /steps/);
  await bad({ run: 'a', task: 'cats', data: [root], steps: 5 }, /task/);
  await bad({ run: 'a', task: 'photo', data: [root], steps: 5, patch: 20 }, /patch/);
  await bad({ run: 'a', task: 'photo', data: [root], steps: 5, evil: 1 }, /Unrecognized key/);
  await bad({ run: 'a', task: 'photo', data: [root], steps: 5, initFrom: 'nope' }, /The model "nope" is not installed/);
  await bad({ run: 'a', data: [root], steps: 5 }, /Choose a task/);
  await bad({ run: 'a', task: 'photo', steps: 5 }, /Choose the data folder/);
  await bad(null, /invalid training request/);
  // A folder that holds other files is never made into a run.
  const busy = join(root, 'documents');
  await mkdir(busy);
  await writeFile(join(busy, 'letter.txt'), 'keep me');
  await bad({ run: busy, task: 'photo', data: [root], steps: 5 }, /already holds files and is not an AEZ training run/);
  assert.deepEqual(await readdir(busy), ['letter.txt']);
  assert.ok(!existsSync(join(runs, 'a')), 'no run folder for refused requests');
  await assert.rejects(t.stop('job-x'), /invalid job id/);
  await assert.rejects(t.readRun('../x'), /run: must be a run name/);
  assert.equal(await t.readRun('nothing-here'), null);
  assert.deepEqual(
    t.info().tasks.map((x) => x.id),
    ['photo', 'scan', 'inpaint', 'codec'],
  );
});

test('runs one training at a time, reports the data folder problem, and exports without replacing', { timeout: 120_000 }, async () => {
  const t = host.training;
  const events: TrainEvent[] = [];
  host.events.on('train', (e: TrainEvent) => events.push(e));
  const data = join(root, 'photos');
  await mkdir(data);
  for (let i = 0; i < 3; i++) await writePng(join(data, `p${i}.png`), gradientImage(40, 40, 3), 40, 40, 3);

  // A data folder problem comes back as a 'done' event with the engine's specific message.
  const missing = await t.start({ run: 'broken', task: 'photo', data: [join(root, 'nope')], steps: 4 });
  await waitFor(() => events.some((e) => e.type === 'done' && e.jobId === missing.jobId));
  const failed = events.find((e) => e.type === 'done' && e.jobId === missing.jobId);
  assert.ok(failed && failed.type === 'done' && !failed.ok && /The data folder .*nope does not exist/.test(failed.error.message));

  const started = await t.start({ run: 'tiny', task: 'photo', data: [data], steps: 400, valEvery: 2, batch: 2, patch: 16, widths: [8, 16], blocks: [1, 1] });
  assert.equal(started.dir, join(runs, 'tiny'));
  await assert.rejects(t.start({ run: 'other', task: 'photo', data: [data], steps: 4 }), /already in progress/);
  await waitFor(() => events.some((e) => e.type === 'progress' && e.jobId === started.jobId && e.point.val));
  const sample = await waitFor(() => events.find((e) => e.type === 'sample' && e.jobId === started.jobId));
  assert.ok(sample.type === 'sample' && sample.dataUrl.startsWith('data:image/png;base64,'));
  assert.equal((await t.listRuns()).find((r) => r.name === 'tiny')?.jobId, started.jobId);
  await t.stop(started.jobId);
  const done = await waitFor(() => events.find((e) => e.type === 'done' && e.jobId === started.jobId));
  assert.ok(done.type === 'done' && done.ok && done.stopped);

  const run = await t.readRun('tiny');
  assert.ok(run && run.hasModel && run.task === 'photo' && run.step > 0 && run.sample?.startsWith('data:image/png'));

  await assert.rejects(t.exportModel({ run: 'tiny', name: 'Bad Name' }), /name: must be 1 to 40 lower-case/);
  await assert.rejects(t.exportModel({ run: 'broken', name: 'x' }), /has no model yet/);
  await assert.rejects(t.exportModel({ run: 'tiny', name: 'photo' }), /already exists .*never replaces/);
  const before = await readFile(join(models, 'photo', 'weights.bin'));
  assert.deepEqual(await readFile(join(models, 'photo', 'weights.bin')), before);
  // A folder that does not exist yet is made; a file in the way is refused with its reason.
  const made = await t.exportModel({ run: 'tiny', name: 'mine', dir: join(root, 'new', 'shelf') });
  assert.ok(existsSync(join(root, 'new', 'shelf', 'mine', 'model.json')) && made.installed === false);
  await writeFile(join(root, 'a-file'), 'x');
  await assert.rejects(t.exportModel({ run: 'tiny', name: 'mine', dir: join(root, 'a-file') }), /Cannot create the folder|is not a folder/);

  const r = await t.exportModel({ run: 'tiny', name: 'my-photos' });
  assert.equal(r.installed, true);
  assert.equal(r.dir, join(models, 'my-photos'));
  assert.ok(listInstalledModels().some((m) => m.id === 'my-photos'));
  assert.match(await readFile(join(r.dir, 'MODEL_CARD.md'), 'utf8'), /Best validation at step \d+/);
  assert.ok(!(await readdir(models)).some((n) => n.startsWith('.aez-tmp')), 'no temporary folder left');
  const doctor = await host.doctor();
  assert.ok(doctor.models.some((m) => m.id === 'my-photos' && m.task === 'denoise-photo'), 'Denoise sees the new model');
  await assert.rejects(t.exportModel({ run: 'tiny', name: 'my-photos' }), /already exists/);

  const elsewhere = join(root, 'shelf');
  await mkdir(elsewhere);
  const r2 = await t.exportModel({ run: join(runs, 'tiny'), name: 'copy', dir: elsewhere });
  assert.equal(r2.installed, false);
  assert.ok(existsSync(join(elsewhere, 'copy', 'model.json')));
});

async function waitFor<T>(fn: () => T | undefined | false, ms = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('Train mode trains the codec: rate–distortion validation, a model that exports as a codec', { timeout: 180_000 }, async () => {
  const t = host.training;
  const events: TrainEvent[] = [];
  const on = (e: TrainEvent) => events.push(e);
  host.events.on('train', on);
  try {
    const data = join(root, 'codec-photos');
    await mkdir(data);
    for (let i = 0; i < 3; i++) await writePng(join(data, `c${i}.png`), gradientImage(80 + 8 * i, 72, 3), 80 + 8 * i, 72, 3);
    const s = await t.start({ run: 'my-codec-run', task: 'codec', data: [data], steps: 2, valEvery: 2, batch: 1, patch: 64 });
    const done = await waitFor(() => events.find((e) => e.type === 'done' && e.jobId === s.jobId), 170_000);
    assert.ok(done.type === 'done' && done.ok, JSON.stringify(done));
    const val = events.find((e) => e.type === 'progress' && e.jobId === s.jobId && e.point.val);
    assert.ok(val && val.type === 'progress' && val.point.val?.metric === 'rd' && val.point.val.value > 0);
    const r = await t.exportModel({ run: 'my-codec-run', name: 'my-codec' });
    const manifest = JSON.parse(await readFile(join(r.dir, 'model.json'), 'utf8'));
    assert.equal(manifest.arch.kind, 'hyperprior');
    assert.equal(manifest.arch.exactSynthesis, true, 'calibrated for bit-exact decoding');
  } finally {
    host.events.off('train', on);
  }
});
