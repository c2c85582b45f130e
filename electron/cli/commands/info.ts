// aez info <file.aez>... [--json]: the header and chunk summary of .aez files, and whether their model is here.
import type { Command } from 'commander';
import { errorMessage } from '../../engine/util/errors.js';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print the header of .aez files')
    .argument('<files...>', '.aez files')
    .option('--json', 'one JSON object per file', false)
    .action(async (files: string[], o: { json: boolean }) => {
      const { findCodecModelDir } = await import('../../engine/codec/codec-registry.js');
      const { readAezFile } = await import('../../engine/codec/decompress-file.js');
      const { describeAez } = await import('../../engine/codec/format/aez-file.js');
      const { qualityFromByte } = await import('../../engine/codec/codec-model.js');
      let failed = 0;
      for (const f of files) {
        try {
          const { file, bytes } = await readAezFile(f);
          const d = describeAez(file, bytes);
          const model = await findCodecModelDir(file.header).then(
            () => ({ installed: true as const }),
            (e) => ({ installed: false as const, problem: errorMessage(e) }),
          );
          const info = { file: f, ...d, userQuality: file.header.quality ? qualityFromByte(file.header.quality) : undefined, modelInstalled: model.installed, ...(model.installed ? {} : { modelProblem: model.problem }) };
          if (o.json) process.stdout.write(JSON.stringify(info) + '\n');
          else process.stdout.write(formatInfo(info) + '\n');
        } catch (e) {
          failed++;
          if (o.json) process.stdout.write(JSON.stringify({ file: f, error: errorMessage(e) }) + '\n');
          else process.stderr.write(`failed ${f}: ${errorMessage(e)}\n`);
        }
      }
      process.exitCode = failed ? 1 : 0;
    });
}

function formatInfo(i: Record<string, unknown>): string {
  const t = i.tiles as { cols: number; rows: number; width: number; height: number };
  const lines = [
    `${i.file}: AEZ version ${i.version}`,
    `  image     ${i.width}×${i.height}, ${i.channels === 1 ? 'grey' : 'RGB'}${i.alpha ? ' + alpha' : ''}, ${i.bitDepth}-bit, ${i.colorSpace}`,
    `  model     ${i.model} (hash ${i.modelHash})${i.modelInstalled ? ', installed' : `, NOT usable here: ${i.modelProblem}`}`,
    `  quality   ${typeof i.userQuality === 'number' ? i.userQuality.toFixed(2) : 'n/a'} (byte ${i.quality}); asked for ${JSON.stringify(i.rate)}`,
    `  tiles     ${t.cols}×${t.rows} of ${t.width}×${t.height}`,
    `  size      ${i.bytes} bytes, ${(i.bpp as number).toFixed(4)} bpp (latents ${i.latentBytes}, alpha ${i.alphaBytes}, container ${i.overheadBytes})`,
  ];
  if (i.metadata) lines.push(`  metadata  ${JSON.stringify(i.metadata)}`);
  if (i.otherChunks) lines.push(`  other     ${(i.otherChunks as string[]).join(', ')}`);
  if (i.warnings) lines.push(`  warnings  ${(i.warnings as string[]).join('; ')}`);
  return lines.join('\n');
}
