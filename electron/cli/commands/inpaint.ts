// aez inpaint <file|dir>... (--mask <file|dir> | --mask-from-alpha) -o <file|dir> [--model inpaint|PATH]
//             [--method auto|model|telea] [--mirror] [--json]
// --method auto (the default) uses the learned model when one is installed, else Telea's classic method
// (and says so), so the command is useful before the inpainting model ships.
// With a mask folder, each image's mask is the file with the image's base name (any image extension);
// a single mask file is used for every input (e.g. the same punch holes on every scanned page).
import type { Command } from 'commander';
import { AezError } from '../../engine/util/errors.js';
import { followBatchJob } from '../run-batch-job.js';
import { parseNumber, type GlobalOptions } from '../shared.js';

/** The message when the learned model is asked for and not installed (the engine's, named here for the tests). */
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
      const { JobService } = await import('../../engine/jobs/job-service.js');
      const { parseOutputFormat } = await import('../../engine/image/output-formats.js');
      const g = cmd.optsWithGlobals<GlobalOptions>();
      if (o.mask === undefined && !o.maskFromAlpha) throw new AezError('BAD_ARGUMENT', 'give --mask <file|dir> or --mask-from-alpha');
      if (o.mask !== undefined && o.maskFromAlpha) throw new AezError('BAD_ARGUMENT', '--mask and --mask-from-alpha exclude each other');
      if (o.method !== 'model' && o.method !== 'telea' && o.method !== 'auto') throw new AezError('BAD_ARGUMENT', `--method must be auto, model or telea, got "${o.method}"`);
      const context = Math.round(parseNumber(o.context ?? '64', '--context', 8, 1024));
      parseOutputFormat(o.format, '--format');
      const format = o.format.replace(/^\./, '').toLowerCase() as 'png';
      const service = new JobService({ threads: g.threads, backend: g.backend });
      const job = service.start({ kind: 'inpaint', inputs, output: o.output, mask: o.mask, maskFromAlpha: o.maskFromAlpha, model: o.model, method: o.method, context, mirror: o.mirror, format, overwrite: o.overwrite });
      await followBatchJob(service, job, o.json, 'inpainting');
    });
}
