// aez demo train [--models all|a,b] [--out DIR] [--data DIR] [--epochs-scale X] [--steps N] [--smoke] [--force]
// aez demo list [--dir DIR]
// The latent-space explorer's demo models: train and ship them (same code as scripts/train-demo.ts), or list
// what is installed with the loss-versus-latent-size table.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { AezError } from '../../engine/util/errors.js';
import { interruptSignal, parseNumber, type GlobalOptions } from '../shared.js';

export function registerDemo(program: Command): void {
  const demo = program.command('demo').description('the latent-space explorer\'s demo models (Fashion-MNIST and MNIST autoencoders)');
  demo
    .command('train')
    .description('train the demo models and ship them with model cards and samples (skips models already there)')
    .option('--models <list>', 'all, or a comma-separated list of model names (`aez demo list` shows them)', 'all')
    .option('--out <dir>', 'demo folder (default: the installed models/demo; with --smoke a temporary folder)')
    .option('--data <dir>', 'folder holding fashion-mnist/ and mnist/', '../shared/data')
    .option('--epochs-scale <x>', 'multiply every model\'s epochs', '1')
    .option('--steps <n>', 'cap the steps per model')
    .option('--seed <n>', 'random seed', '1')
    .option('--smoke', 'a few steps on a tiny subset, to check the pipeline', false)
    .option('--force', 'retrain models that are already there', false)
    .action(async (o: Record<string, string | boolean | undefined>, cmd: Command) => {
      const { demoRoot } = await import('../../engine/explorer/model-io.js');
      const { DEMO_BUDGET_BYTES, parseModelList, runDemoTraining } = await import('../../engine/explorer/run.js');
      const { initBackend } = await import('../../engine/tfjs/backend.js');
      const g = cmd.optsWithGlobals<GlobalOptions>();
      let models;
      try {
        models = parseModelList(String(o.models));
      } catch (e) {
        throw new AezError('BAD_ARGUMENT', (e as Error).message);
      }
      // A smoke run never writes into the installed models: without --out it goes to a temporary folder.
      const out = o.out ? resolve(String(o.out)) : o.smoke ? await mkdtemp(join(tmpdir(), 'aez-demo-smoke-')) : demoRoot();
      const backend = await initBackend(g.backend);
      process.stderr.write(`backend ${backend.chosen}; writing demo models to ${out}\n`);
      const r = await runDemoTraining({
        models,
        out,
        dataRoot: resolve(String(o.data)),
        epochsScale: parseNumber(String(o.epochsScale), '--epochs-scale', 0.001, 100),
        seed: Math.round(parseNumber(String(o.seed), '--seed', 0, 2 ** 31)),
        ...(o.steps ? { steps: Math.round(parseNumber(String(o.steps), '--steps', 1, 1e9)) } : {}),
        smoke: Boolean(o.smoke),
        force: Boolean(o.force),
        signal: interruptSignal(),
        log: (line) => process.stderr.write(line + '\n'),
      });
      process.stdout.write(`${r.trained.length} trained, ${r.skipped.length} skipped; ${out} holds ${(r.bytes / 1e6).toFixed(2)} MB (budget ${DEMO_BUDGET_BYTES / 1e6} MB)\n`);
    });
  demo
    .command('list')
    .description('list the installed demo models and the reconstruction loss against latent size')
    .option('--dir <dir>', 'demo folder (default: the installed models/demo)')
    .option('--json', 'print JSON', false)
    .action(async (o: { dir?: string; json: boolean }) => {
      const { lossVsLatentSize, listExplorerModels } = await import('../../engine/explorer/explorer.js');
      const { demoRoot } = await import('../../engine/explorer/model-io.js');
      const dir = o.dir ? resolve(o.dir) : demoRoot();
      const models = await listExplorerModels(dir);
      const sizes = await lossVsLatentSize(dir);
      if (o.json) {
        process.stdout.write(JSON.stringify({ dir, models, lossVsLatentSize: sizes }, null, 2) + '\n');
        return;
      }
      if (models.length === 0) {
        process.stdout.write(`no demo models in ${dir}; train them with aez demo train\n`);
        return;
      }
      for (const m of models) process.stdout.write(`${m.name.padEnd(18)} ${m.kind.padEnd(4)} d=${String(m.latent).padEnd(3)} ${m.title}\n`);
      if (sizes.length) {
        process.stdout.write('\nlatent  test MSE/pixel  PSNR dB\n');
        for (const r of sizes) process.stdout.write(`${String(r.latent).padStart(6)}  ${r.testMse.toFixed(5).padStart(14)}  ${r.testPsnr.toFixed(2).padStart(7)}\n`);
      }
    });
}
