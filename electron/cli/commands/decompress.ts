// aez decompress <file.aez|dir>... -o <file|dir> [--format png|jpg|webp|tif|avif] [--json]
import type { Command } from 'commander';
import { AezError } from '../../engine/util/errors.js';
import { followBatchJob } from '../run-batch-job.js';
import type { GlobalOptions } from '../shared.js';

export function registerDecompress(program: Command): void {
  program
    .command('decompress')
    .alias('restore')
    .description('restore images from .aez files (PNG unless -o names another format)')
    .argument('<inputs...>', '.aez files or folders')
    .option('-o, --output <path>', 'output image file, or folder for several inputs; a missing folder is made. Default: beside each input as NAME-restored.png (never over a file)')
    .option('-f, --format <ext>', 'output format for folder outputs: png, jpg, webp, tif, avif', 'png')
    .option('--overwrite', 'replace existing output files (never an input)', false)
    .option('--json', 'print one JSON result per file', false)
    .action(async (inputs: string[], o: { output?: string; format: string; overwrite: boolean; json: boolean }, cmd: Command) => {
      const { JobService } = await import('../../engine/jobs/job-service.js');
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { parseOutputFormat } = await import('../../engine/image/output-formats.js');
      parseOutputFormat(o.format, '--format');
      const format = o.format.replace(/^\./, '').toLowerCase();
      const service = new JobService({ threads: g.threads, backend: g.backend });
      const job = service.start({ kind: 'decompress', inputs, output: o.output, format: format as 'png', overwrite: o.overwrite });
      await followBatchJob(service, job, o.json, 'restoring');
    });
}
