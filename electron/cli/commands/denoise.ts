// aez denoise <file|dir>... -o <file|dir> [--model photo|scan|PATH] [--sigma N] [--json]
import type { Command } from 'commander';
import { planBatch } from '../../engine/batch/plan.js';
import { runBatch } from '../../engine/batch/run-batch.js';
import { denoiseFile } from '../../engine/denoise/denoise-file.js';
import { isInputImagePath } from '../../engine/image/io.js';
import { WorkerPool } from '../../engine/jobs/worker-pool.js';
import { loadModel } from '../../engine/models/registry.js';
import { AezError } from '../../engine/util/errors.js';
import { terminalReporter } from '../reporter.js';
import { interruptSignal, parseNumber, type GlobalOptions } from '../shared.js';

export const OUTPUT_EXTS = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif'] as const;

export function registerDenoise(program: Command): void {
  program
    .command('denoise')
    .description('remove noise from photos (--model photo) or clean scanned pages (--model scan)')
    .argument('<inputs...>', 'image files or folders')
    .requiredOption('-o, --output <path>', 'output file, or folder for several inputs')
    .option('-m, --model <name|path>', 'photo, scan, or a model folder', 'photo')
    .option('-s, --sigma <n>', 'noise level 0..100 in 8-bit units (photo model; estimated when absent)')
    .option('-f, --format <ext>', 'output format for folder outputs: png, jpg, webp, tif, avif', 'png')
    .option('--overwrite', 'replace existing output files (never an input)', false)
    .option('--json', 'print one JSON result per file', false)
    .action(async (inputs: string[], o: { output: string; model: string; sigma?: string; format: string; overwrite: boolean; json: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const sigma = o.sigma === undefined ? undefined : parseNumber(o.sigma, '--sigma', 0, 100);
      const ext = '.' + o.format.replace(/^\./, '').toLowerCase();
      if (!(OUTPUT_EXTS as readonly string[]).includes(ext)) throw new AezError('OUTPUT_FORMAT', `--format ${o.format}: choose one of ${OUTPUT_EXTS.join(' ')}`);
      const items = await planBatch(inputs, o.output, { accept: isInputImagePath, defaultExt: ext, outputExts: OUTPUT_EXTS });
      const model = await loadModel(o.model);
      const pool = new WorkerPool({ threads: g.threads, backend: g.backend });
      const signal = interruptSignal(() => void pool.cancel());
      const reporter = terminalReporter(o.json, 'denoising');
      try {
        const results = await runBatch(
          items,
          (item, onProgress, sig) => denoiseFile(item.input, item.output, model, pool, { sigma, overwrite: o.overwrite, signal: sig, onProgress }),
          reporter,
          signal,
        );
        reporter.finish(results);
        process.exitCode = signal.aborted ? 130 : results.every((r) => r.ok) ? 0 : 1;
      } finally {
        await pool.close();
      }
    });
}
