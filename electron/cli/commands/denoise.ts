// aez denoise <file|dir>... -o <file|dir> [--model photo|scan|PATH] [--sigma N] [--json]
import type { Command } from 'commander';
import { AezError } from '../../engine/util/errors.js';
import { followBatchJob } from '../run-batch-job.js';
import { parseNumber, type GlobalOptions } from '../shared.js';

export function registerDenoise(program: Command): void {
  program
    .command('denoise')
    .description('remove noise from photos (--model photo) or clean scanned pages (--model scan)')
    .argument('<inputs...>', 'image files or folders')
    .option('-o, --output <path>', 'output file, or folder for several inputs; a missing folder is made. Default: beside each input as NAME-denoised.png (never over a file)')
    .option('-m, --model <name|path>', 'photo, scan, or a model folder', 'photo')
    .option('-s, --sigma <n>', 'noise level 0..100 in 8-bit units (photo model; estimated when absent)')
    .option('-f, --format <ext>', 'output format for folder outputs: png, jpg, webp, tif, avif', 'png')
    .option('--overwrite', 'replace existing output files (never an input)', false)
    .option('--json', 'print one JSON result per file', false)
    .action(async (inputs: string[], o: { output?: string; model: string; sigma?: string; format: string; overwrite: boolean; json: boolean }, cmd: Command) => {
      const { JobService } = await import('../../engine/jobs/job-service.js');
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const sigma = o.sigma === undefined ? undefined : parseNumber(o.sigma, '--sigma', 0, 100);
      const { parseOutputFormat } = await import('../../engine/image/output-formats.js');
      parseOutputFormat(o.format, '--format');
      const format = o.format.replace(/^\./, '').toLowerCase();
      const service = new JobService({ threads: g.threads, backend: g.backend });
      const job = service.start({ kind: 'denoise', inputs, output: o.output, model: o.model, sigma, format: format as 'png', overwrite: o.overwrite });
      await followBatchJob(service, job, o.json, 'denoising');
    });
}
