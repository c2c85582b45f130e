// Explorer benchmark: the eight demo autoencoders on onnxruntime and on TensorFlow.js, measured in the same
// run, as Explore mode uses them: encoding the 5,000-image sample (what the scatter needs when a model has
// no stored embeddings), decoding the 15×15 latent grid, and decoding one clicked point.
//
//   node dist/scripts/bench-explorer.js [--tfjs wasm] [--repeat 3] [--no-write] [--out docs/benchmarks.md]
//
// Seconds per megapixel count the network's 32×32 images (5,000 images = 5.12 MP). tfjs-wasm is
// single-threaded in Node, so onnxruntime is timed on one thread (like for like) and on all cores (as the
// app's host runs it).
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OrtEngine, loadOrt, ortVersion } from '../electron/engine/inference/ort-engine.js';
import type { InferenceEngine } from '../electron/engine/inference/engine.js';
import { TfjsEngine } from '../electron/engine/inference/tfjs-engine.js';
import { NET_SIDE } from '../electron/engine/explorer/datasets.js';
import { DemoExplorer, EXPLORER_BATCH } from '../electron/engine/explorer/explorer.js';
import { countParams } from '../electron/engine/explorer/models.js';
import { demoRoot, listDemoModels } from '../electron/engine/explorer/model-io.js';
import { writeDocSection } from './lib/doc-section.js';
import { repoRoot } from './lib/repo-root.js';

const SCRIPT = fileURLToPath(import.meta.url);
const TARGET_SPEEDUP = 3;
const GRID = 15 * 15;

interface Timing {
  /** Seconds per megapixel, encode + decode of the sample through the explorer (batches of EXPLORER_BATCH). */
  sPerMp: number;
  /** Seconds to decode the 15×15 grid. */
  grid: number;
  /** Seconds to decode one point. */
  point: number;
}

interface Row {
  name: string;
  params: number;
  tfjs: Timing;
  ort1: Timing;
  ortAll: Timing;
}

type EngineKey = 'tfjs' | 'ort1' | 'ortAll';

async function best(repeat: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: session creation, kernel set-up
  let t = Infinity;
  for (let i = 0; i < repeat; i++) {
    const s = performance.now();
    await fn();
    t = Math.min(t, (performance.now() - s) / 1000);
  }
  return t;
}

/** Times one explorer (the app's own code path: padding, batching, cropping) on its engine. */
async function time(ex: DemoExplorer, repeat: number): Promise<Timing> {
  const images = ex.samples!.images;
  const count = ex.samples!.manifest.count;
  const z = new Float32Array(GRID * ex.latentSize).map((_, i) => Math.sin(i) * 2);
  const whole = await best(repeat, async () => ex.decode(await ex.encode(images)));
  return {
    sPerMp: whole / ((count * NET_SIDE * NET_SIDE) / 1e6),
    grid: await best(repeat, () => ex.decode(z)),
    point: await best(repeat * 10, () => ex.decode(z.subarray(0, ex.latentSize))),
  };
}

function section(rows: Row[], o: { tfjs: string; repeat: number }, ortVer: string, sample: number): string {
  const ms = (s: number) => (s * 1000 < 10 ? (s * 1000).toFixed(2) : (s * 1000).toFixed(1));
  const f = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(3));
  const x = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
  const cores = availableParallelism();
  return [
    '## Explorer: demo autoencoders on onnxruntime vs TensorFlow.js',
    '',
    `Written by \`node dist/scripts/bench-explorer.js\` on ${new Date().toISOString().slice(0, 10)}: ${cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `${cores} cores, Node ${process.versions.node}, onnxruntime-node ${ortVer}, tfjs-${o.tfjs}${o.tfjs === 'wasm' || o.tfjs === 'cpu' ? ' (single-threaded in Node)' : ''}. Best of ${o.repeat}. ` +
      `Load average at the end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}.`,
    '',
    `*s/MP*: seconds per megapixel of 32×32 network images, encoding and decoding the ${sample.toLocaleString('en-US')}-image explorer sample in batches of ${EXPLORER_BATCH}. ` +
      `*Grid*: decoding the 15×15 latent grid. *Point*: decoding one clicked point. ORT 1 = one intra-op thread; ORT ${cores} = all cores, as the app's host runs it.`,
    '',
    `| model | parameters | tfjs s/MP | ORT 1 s/MP | speed-up | ORT ${cores} s/MP | speed-up | grid tfjs / ORT 1 / ORT ${cores} (ms) | point tfjs / ORT 1 / ORT ${cores} (ms) |`,
    '|---|---:|---:|---:|---:|---:|---:|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.params.toLocaleString('en-US')} | ${f(r.tfjs.sPerMp)} | ${f(r.ort1.sPerMp)} | ${x(r.tfjs.sPerMp, r.ort1.sPerMp)} | ` +
        `${f(r.ortAll.sPerMp)} | ${x(r.tfjs.sPerMp, r.ortAll.sPerMp)} | ${ms(r.tfjs.grid)} / ${ms(r.ort1.grid)} / ${ms(r.ortAll.grid)} | ` +
        `${ms(r.tfjs.point)} / ${ms(r.ort1.point)} / ${ms(r.ortAll.point)} |`,
    ),
    '',
    rows.length
      ? `Target (issue 7, ≥ ${TARGET_SPEEDUP}× over tfjs-wasm), one thread against one thread: ` +
        rows.map((r) => `${r.name} ${r.tfjs.sPerMp / r.ort1.sPerMp >= TARGET_SPEEDUP ? 'met' : 'not met'} (${x(r.tfjs.sPerMp, r.ort1.sPerMp)})`).join(', ') +
        '.'
      : 'No demo models found (models/demo is empty: `node dist/scripts/train-demo.js` trains them).',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      tfjs: { type: 'string', default: 'wasm' },
      repeat: { type: 'string', default: '3' },
      out: { type: 'string', default: join(repoRoot(SCRIPT), 'docs', 'benchmarks.md') },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const repeat = Number(a.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat must be a whole number ≥ 1, got "${a.repeat}"`);
  const ortVer = ortVersion(await loadOrt());
  const root = demoRoot();
  const rows: Row[] = [];
  let sample = 0;
  // One engine of each kind for every model, as the app's host shares one.
  const engines: [EngineKey, InferenceEngine][] = [
    ['tfjs', await TfjsEngine.create(a.tfjs)],
    ['ort1', await OrtEngine.create({ threads: 1 })],
    ['ortAll', await OrtEngine.create()],
  ];
  try {
    for (const { dir, manifest } of await listDemoModels(root)) {
      const row = { name: manifest.name } as Row;
      for (const [key, engine] of engines) {
        const ex = await DemoExplorer.open(dir, root, engine);
        try {
          if (!ex.samples) throw new Error(`${manifest.name}: the ${manifest.dataset} samples are missing from ${root}`);
          sample = ex.samples.manifest.count;
          row.params = countParams(ex.arch);
          row[key] = await time(ex, repeat);
        } finally {
          ex.dispose();
        }
      }
      process.stderr.write(`${row.name}: ${JSON.stringify(row)}\n`);
      rows.push(row);
    }
  } finally {
    for (const [, engine] of engines) engine.dispose();
  }
  const text = section(rows, { tfjs: a.tfjs!, repeat }, ortVer, sample);
  process.stdout.write(text + '\n');
  if (!a['no-write']) {
    await writeDocSection(resolve(a.out!), 'bench-explorer', text);
    process.stderr.write(`wrote ${a.out}\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === SCRIPT) {
  main().catch((e) => {
    process.stderr.write(`bench-explorer: ${e instanceof Error ? e.stack : e}\n`);
    process.exit(1);
  });
}
