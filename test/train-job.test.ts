// The `train` job kind: progress, validation and sample events, stop (= cancel, with a checkpoint), resume
// on the same run folder to the end, and specific errors for bad data folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { JobService, type JobServiceEvent, type TrainJobSpec } from '../electron/engine/jobs/job-service.js';
import { listRuns, readRunInfo } from '../electron/engine/train/training-run.js';
import { loadModelDir } from '../electron/engine/models/model-file.js';
import { gradientImage, tempDir, writePng } from './helpers.js';

async function photoFolder(count = 4): Promise<string> {
  const dir = await tempDir();
  for (let i = 0; i < count; i++) await writePng(join(dir, `p${i}.png`), gradientImage(40 + 8 * i, 40, 3), 40 + 8 * i, 40, 3);
  return dir;
}

const tiny = (data: string, out: string, steps = 6): TrainJobSpec => ({
  kind: 'train', task: 'photo', data: [data], out, steps, batch: 2, patch: 16, widths: [8, 16], blocks: [1, 1], valEvery: 3, checkpointEvery: 3, workers: 1,
});

function collect(events: { on(n: 'event', cb: (e: JobServiceEvent) => void): unknown }): JobServiceEvent[] {
  const all: JobServiceEvent[] = [];
  events.on('event', (e) => all.push(e));
  return all;
}

test('a train job reports progress, validation and samples; stops with a checkpoint and resumes to the end', { timeout: 240_000 }, async () => {
  const jobs = new JobService({ threads: 1 });
  try {
    const data = await photoFolder();
    const out = join(await tempDir(), 'run');
    // Stop after the first validation (step 3).
    const first = jobs.start(tiny(data, out));
    const ev1 = collect(first.events);
    first.events.on('event', (e: JobServiceEvent) => e.type === 'train-progress' && e.progress.val && first.cancel());
    const r1 = await first.done;
    assert.equal(r1.stopped, true);
    assert.ok(r1.steps >= 3 && r1.steps < 6, `stopped at ${r1.steps}`);
    const start = ev1.find((e) => e.type === 'train-start');
    assert.ok(start && start.type === 'train-start' && !start.resumed && start.step === 0 && start.total === 6 && start.task === 'photo');
    const progress = ev1.filter((e) => e.type === 'train-progress');
    assert.ok(progress.length >= 3);
    for (const e of progress) {
      assert.ok(e.type === 'train-progress' && Number.isFinite(e.progress.loss) && e.progress.lr > 0 && e.progress.stepsPerSec > 0);
    }
    const val = progress.find((e) => e.type === 'train-progress' && e.progress.val);
    assert.ok(val && val.type === 'train-progress' && val.progress.val!.metric === 'psnr' && val.progress.val!.value > 5);
    const sample = ev1.find((e) => e.type === 'train-sample');
    assert.ok(sample && sample.type === 'train-sample' && sample.step === 3);
    const meta = await sharp(Buffer.from(sample.png)).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.width, sample.width);
    assert.ok(sample.width > 2 * sample.height, 'three panels side by side');
    assert.ok(existsSync(join(out, 'sample.png')));
    assert.ok(ev1.some((e) => e.type === 'train-log' && /held out of training/.test(e.line)), 'says which images validate');
    assert.ok(ev1.some((e) => e.type === 'train-done' && e.result.stopped));

    const info = await readRunInfo(out);
    assert.ok(info);
    assert.equal(info.task, 'photo');
    assert.equal(info.step, r1.steps);
    assert.deepEqual(info.data, [data]);
    assert.ok(info.hasModel);
    assert.deepEqual((await listRuns(join(out, '..'))).map((r) => r.name), ['run']);

    // Resume: only the folder and the steps; task, data and architecture come from the run.
    const second = jobs.start({ kind: 'train', out, steps: 6, workers: 1 });
    const ev2 = collect(second.events);
    const r2 = await second.done;
    assert.equal(r2.stopped, false);
    assert.equal(r2.steps, 6);
    const s2 = ev2.find((e) => e.type === 'train-start');
    assert.ok(s2 && s2.type === 'train-start' && s2.resumed && s2.step === r1.steps && s2.history.length >= 1);
    const state = JSON.parse(await readFile(join(out, 'checkpoint.json'), 'utf8'));
    assert.equal(state.step, 6);
    assert.deepEqual(state.config.arch.widths, [8, 16]);
    const model = await loadModelDir(r2.modelDir);
    assert.equal(model.manifest.task, 'denoise-photo');

    // The run folder refuses another task.
    const wrong = jobs.start({ kind: 'train', task: 'scan', out, steps: 8 });
    await assert.rejects(wrong.done, /holds a photo run; choose the task photo/);
  } finally {
    await jobs.close();
  }
});

test('train jobs fail with specific messages for bad data folders and arguments', { timeout: 60_000 }, async () => {
  const jobs = new JobService({ threads: 1 });
  try {
    const root = await tempDir();
    const out = join(root, 'run');
    const fail = (spec: Partial<TrainJobSpec>) => jobs.start({ ...tiny(join(root, 'x'), out), ...spec } as TrainJobSpec).done;
    await assert.rejects(fail({ data: [join(root, 'missing')] }), /The data folder .*missing does not exist/);
    const empty = join(root, 'empty');
    await mkdir(empty);
    await writeFile(join(empty, 'notes.txt'), 'hello');
    await assert.rejects(fail({ data: [empty] }), /holds no images AEZ can read/);
    const small = join(root, 'small');
    await mkdir(small);
    for (let i = 0; i < 3; i++) await writePng(join(small, `s${i}.png`), gradientImage(12, 12, 3), 12, 12, 3);
    await assert.rejects(fail({ data: [small] }), /at least 16×16 pixels/);
    await assert.rejects(fail({ task: 'scan', data: [small] }), /has no noisy\/ folder/);
    await assert.rejects(fail({ patch: 20 }), /patch must be a multiple of 8/);
    assert.throws(() => jobs.start({ kind: 'train', out, steps: 0 } as TrainJobSpec), /steps/);
    assert.throws(() => jobs.start({ kind: 'train', out, steps: 5, evil: true } as unknown as TrainJobSpec), /Unrecognized key/);
    await assert.rejects(jobs.start({ kind: 'train', out: join(root, 'new'), steps: 5 }).done, /Choose a task/);
    assert.ok(!existsSync(out), 'nothing written for a refused run');
  } finally {
    await jobs.close();
  }
});
