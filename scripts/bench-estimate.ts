// Compress mode's path, timed on the shipped codec: the estimate as the slider moves (the first computes the
// analysis; later ones reuse it), then Compress with the estimated settings (writes the estimate's bytes), against
// a compress with nothing kept (what every slider move and the final Compress each cost before). One 12 MP photo
// (a validation photo scaled up), the codec worker as the app runs it.
//   node dist/scripts/bench-estimate.js [--width 4000 --height 3000] [--backend ort]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { CodecWorkerClient } from '../electron/engine/codec/codec-client.js';

const { values: a } = parseArgs({ options: { width: { type: 'string', default: '4000' }, height: { type: 'string', default: '3000' }, backend: { type: 'string' }, source: { type: 'string', default: '../shared/data/photos/val/wiki-037.jpg' } } });

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aez-bench-estimate-'));
  const input = join(dir, 'photo.png');
  const w = Number(a.width);
  const h = Number(a.height);
  await sharp(resolve(a.source!)).resize(w, h, { fit: 'cover' }).png({ compressionLevel: 1 }).toFile(input);
  const model = 'codec';
  const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
    const t0 = performance.now();
    const r = await fn();
    return [(performance.now() - t0) / 1000, r];
  };
  const rows: [string, number, string][] = [];
  const cold = new CodecWorkerClient({ backend: a.backend });
  try {
    await cold.run({ op: 'check-model', model });
    const [tc] = await time(() => cold.run({ op: 'compress', input, output: join(dir, 'cold.aez'), model, rate: { quality: 3 }, overwrite: true }));
    rows.push(['compress, nothing kept (each slider move and the final Compress before)', tc, '']);
  } finally {
    await cold.close();
  }
  const app = new CodecWorkerClient({ backend: a.backend });
  try {
    await app.run({ op: 'check-model', model });
    const [t1, e1] = await time(() => app.run<{ bytes: number }>({ op: 'estimate', input, model, rate: { quality: 4 } }));
    rows.push(['first estimate (quality 4): reads the image, runs the analysis', t1, `${e1.bytes} B`]);
    const [t2, e2] = await time(() => app.run<{ bytes: number }>({ op: 'estimate', input, model, rate: { quality: 3 } }));
    rows.push(['next estimate (quality 3): the kept analysis', t2, `${e2.bytes} B`]);
    const [t3, e3] = await time(() => app.run<{ bytes: number }>({ op: 'estimate', input, model, rate: { bytes: 400_000 } }));
    rows.push(['estimate for a 400 kB target (bisects the quality): the kept analysis', t3, `${e3.bytes} B`]);
    const [t4, r4] = await time(() => app.run<{ bytes: number }>({ op: 'compress', input, output: join(dir, 'warm.aez'), model, rate: { quality: 3 }, overwrite: true }));
    rows.push(['Compress with the estimated settings: writes the estimate', t4, `${r4.bytes} B`]);
  } finally {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`${w}×${h} (${((w * h) / 1e6).toFixed(1)} MP), codec worker, backend ${a.backend ?? 'default (onnxruntime when it loads)'}\n`);
  console.log('| step | seconds | result |\n|---|---|---|');
  for (const [what, s, note] of rows) console.log(`| ${what} | ${s.toFixed(2)} | ${note} |`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
