// aez inpaint <file|dir>... (--mask <file|dir> | --mask-from-alpha) -o <file|dir> [--model inpaint|PATH]
//             [--method auto|model|telea] [--mirror] [--json]
// --method auto (the default) uses the learned model when one is installed, else Telea's classic method
// (and says so), so the command is useful before the inpainting model ships.
// With a mask folder, each image's mask is the file with the image's base name (any image extension);
// a single mask file is used for every input (e.g. the same punch holes on every scanned page).
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { planBatch, type BatchItem } from '../../engine/batch/plan.js';
import { isInputImagePath } from '../../engine/image/input-types.js';
import type { MaskSource } from '../../engine/inpaint/inpaint-file.js';
import type { InpaintMethod } from '../../engine/inpaint/inpaint.js';
import type { WorkerPool as WorkerPoolType } from '../../engine/jobs/worker-pool.js';
import { AezError } from '../../engine/util/errors.js';
import { terminalReporter } from '../reporter.js';
import { interruptSignal, parseNumber, type GlobalOptions } from '../shared.js';

export const MODEL_MISSING = 'inpainting model not installed: train it with `aez train --task inpaint`';

interface InpaintCliOptions {
  output?: string;
  mask?: string;
  maskFromAlpha: boolean;
  model: string;
  method: string;
  context?: string;
  mirror: boolean;
  format: string;
  overwrite: boolean;
  json: boolean;
}

/** Pairs every input with its mask; a folder must hold exactly one mask per image, by base name. */
export async function pairMasks(items: BatchItem[], mask: string): Promise<Map<string, string>> {
  const path = resolve(mask);
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new AezError('INPUT_NOT_FOUND', `mask ${mask} does not exist`);
  const pairs = new Map<string, string>();
  if (!st.isDirectory()) {
    for (const it of items) pairs.set(it.input, path);
    return pairs;
  }
  const byName = new Map<string, string>();
  for (const n of (await readdir(path)).filter((n) => !n.startsWith('.') && isInputImagePath(n)).sort()) {
    const key = basename(n, extname(n));
    if (byName.has(key)) throw new AezError('BAD_ARGUMENT', `mask folder ${mask} holds two masks for "${key}": ${byName.get(key)} and ${n}`);
    byName.set(key, n);
  }
  const missing: string[] = [];
  const used = new Set<string>();
  for (const it of items) {
    const key = basename(it.input, extname(it.input));
    const m = byName.get(key);
    if (m) {
      pairs.set(it.input, join(path, m));
      used.add(key);
    } else missing.push(basename(it.input));
  }
  const extra = [...byName.keys()].filter((k) => !used.has(k)).map((k) => byName.get(k)!);
  if (missing.length || extra.length) {
    const parts = [`${items.length} image(s) but ${byName.size} mask(s) in ${mask}`];
    if (missing.length) parts.push(`no mask for ${missing.join(', ')}`);
    if (extra.length) parts.push(`no image for ${extra.join(', ')}`);
    throw new AezError('BAD_ARGUMENT', `${parts.join('; ')} (a mask has its image's base name)`);
  }
  return pairs;
}

export function registerInpaint(program: Command): void {
  program
    .command('inpaint')
    .description('fill the holes a mask marks (white = hole), or the transparent parts of an image')
    .argument('<inputs...>', 'image files or folders')
    .option('-o, --output <path>', 'output file, or folder for several inputs; a missing folder is made. Default: beside each input as NAME-inpainted.png (never over a file)')
    .option('--mask <file|dir>', 'mask image the size of the image (white = hole); with folders, one mask per image, same base name')
    .option('--mask-from-alpha', 'fill the transparent pixels of each image instead of reading a mask', false)
    .option('-m, --model <name|path>', 'inpaint, or a model folder', 'inpaint')
    .option('--method <name>', 'auto (the model when installed, else telea), model (learned) or telea (classic fast marching, needs no model)', 'auto')
    .option('--context <px>', 'context kept around the holes, in pixels', '64')
    .option('--mirror', 'also run the model on each tile mirrored and average the two fills: about 0.1 dB better in the holes, twice the time', false)
    .option('-f, --format <ext>', 'output format for folder outputs: png, jpg, webp, tif, avif', 'png')
    .option('--overwrite', 'replace existing output files (never an input)', false)
    .option('--json', 'print one JSON result per file', false)
    .action(async (inputs: string[], o: InpaintCliOptions, cmd: Command) => {
      const { runBatch } = await import('../../engine/batch/run-batch.js');
      const { inpaintFile } = await import('../../engine/inpaint/inpaint-file.js');
      const { IMAGE_OUTPUT_EXTS } = await import('../../engine/jobs/job-service.js');
      const { WorkerPool } = await import('../../engine/jobs/worker-pool.js');
      const { loadModel } = await import('../../engine/models/registry.js');
      const g = cmd.optsWithGlobals<GlobalOptions>();
      if (o.mask === undefined && !o.maskFromAlpha) throw new AezError('BAD_ARGUMENT', 'give --mask <file|dir> or --mask-from-alpha');
      if (o.mask !== undefined && o.maskFromAlpha) throw new AezError('BAD_ARGUMENT', '--mask and --mask-from-alpha exclude each other');
      if (o.method !== 'model' && o.method !== 'telea' && o.method !== 'auto') throw new AezError('BAD_ARGUMENT', `--method must be auto, model or telea, got "${o.method}"`);
      const context = Math.round(parseNumber(o.context ?? '64', '--context', 8, 1024));
      const format = o.format.replace(/^\./, '').toLowerCase();
      if (!['png', 'jpg', 'jpeg', 'webp', 'tif', 'tiff', 'avif'].includes(format)) {
        throw new AezError('OUTPUT_FORMAT', `--format ${o.format}: choose one of png, jpg, webp, tif, avif`);
      }
      const items = await planBatch(inputs, o.output, { accept: isInputImagePath, defaultExt: '.' + format, outputExts: IMAGE_OUTPUT_EXTS, besideSuffix: 'inpainted' });
      const masks = o.mask !== undefined ? await pairMasks(items, o.mask) : undefined;

      let pool: WorkerPoolType | undefined;
      let method: InpaintMethod;
      const installed = o.method === 'auto' ? await loadModel(o.model).then(() => true, () => false) : undefined;
      if (o.method === 'telea' || installed === false) {
        if (installed === false && !o.json) process.stderr.write(`note: no inpainting model "${o.model}" installed; filling with Telea's classic method (--method telea)\n`);
        method = { kind: 'telea' };
      } else {
        const model = await loadModel(o.model).catch((e) => {
          if (e instanceof AezError && e.code === 'MODEL_NOT_FOUND' && o.model === 'inpaint') throw new AezError('MODEL_NOT_FOUND', MODEL_MISSING);
          throw e;
        });
        if (model.manifest.task !== 'inpaint') throw new AezError('BAD_ARGUMENT', `${o.model} is a ${model.manifest.task} model, not an inpainting model`);
        pool = new WorkerPool({ threads: g.threads, backend: g.backend });
        method = { kind: 'model', model, exec: pool };
      }
      const ctl = new AbortController();
      const signal = interruptSignal(() => {
        ctl.abort();
        void pool?.cancel();
      });
      const reporter = terminalReporter(o.json, 'inpainting');
      try {
        const results = await runBatch(
          items,
          async (item, onProgress, sig) => {
            const mask: MaskSource = masks ? { kind: 'file', path: masks.get(item.input)! } : { kind: 'alpha' };
            const details = await inpaintFile(item.input, item.output, mask, method, { overwrite: o.overwrite, signal: sig, onProgress, context, mirror: o.mirror });
            if (details.note && !o.json) process.stderr.write(`note: ${item.input}: ${details.note}\n`);
            return details;
          },
          {
            ...reporter,
            itemDone: (i, r) => reporter.itemDone?.(i, r),
          },
          ctl.signal,
        );
        reporter.finish(results);
        process.exitCode = signal.aborted ? 130 : results.every((r) => r.ok) ? 0 : 1;
      } finally {
        await pool?.close();
      }
    });
}
