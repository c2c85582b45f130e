// aez compress <file|dir>... -o <file|dir> [--quality N | --bpp X | --size S] [--model NAME] [--json]
import type { Command } from 'commander';
import { DEFAULT_CODEC_MODEL } from '../../engine/codec/defaults.js';
import { AezError } from '../../engine/util/errors.js';
import { followBatchJob } from '../run-batch-job.js';
import { parseNumber, type GlobalOptions } from '../shared.js';
import { parseSize } from '../parse-size.js';

export function registerCompress(program: Command): void {
  program
    .command('compress')
    .description('compress images into .aez latent-code files')
    .argument('<inputs...>', 'image files or folders')
    .option('-o, --output <path>', 'output .aez file, or folder for several inputs (NAME.aez each); a missing folder is made. Default: beside each input as NAME.aez (never over a file)')
    .option('-q, --quality <n>', 'quality 1 (smallest) … 6 (best); fractions allowed; default 4')
    .option('--bpp <x>', 'target bits per pixel: the best quality that fits')
    .option('--size <s>', 'target file size, e.g. 50KB, 1.5MB, 20000 (bytes): the best quality that fits')
    .option('-m, --model <name|path>', 'codec model', DEFAULT_CODEC_MODEL)
    .option('--effort <n>', 'refine the latents for the chosen quality: 0 (default) or 1 (about 9 % smaller files, about 70 s per megapixel)', '0')
    .option('--overwrite', 'replace existing output files (never an input)', false)
    .option('--json', 'print one JSON result per file', false)
    .action(async (inputs: string[], o: { output?: string; quality?: string; bpp?: string; size?: string; model: string; effort: string; overwrite: boolean; json: boolean }, cmd: Command) => {
      const { JobService } = await import('../../engine/jobs/job-service.js');
      const g = cmd.optsWithGlobals<GlobalOptions>();
      if ([o.quality, o.bpp, o.size].filter((v) => v !== undefined).length > 1) throw new AezError('BAD_ARGUMENT', 'give one of --quality, --bpp and --size');
      const quality = o.quality === undefined ? undefined : parseNumber(o.quality, '--quality', 1, 64);
      const bpp = o.bpp === undefined ? undefined : parseNumber(o.bpp, '--bpp', 0.001, 64);
      const bytes = o.size === undefined ? undefined : parseSize(o.size, '--size');
      const service = new JobService({ threads: g.threads, backend: g.backend });
      const effort = Math.round(parseNumber(o.effort, '--effort', 0, 1));
      if (effort > 0 && (bpp !== undefined || bytes !== undefined)) throw new AezError('BAD_ARGUMENT', '--effort works with --quality, not with --bpp or --size');
      const job = service.start({ kind: 'compress', inputs, output: o.output, model: o.model, quality, bpp, bytes, effort, overwrite: o.overwrite });
      await followBatchJob(service, job, o.json, 'compressing');
    });
}
