// aez doctor: what this install can do — inference engine and TensorFlow.js backend chosen and why others
// were skipped, cores, versions, models.
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { Command } from 'commander';
import sharp from 'sharp';
import { initBackend } from '../../engine/runtime/backend.js';
import { createInferenceEngine, probeOrtProviders } from '../../engine/inference/select.js';
import { loadOrt, ortVersion } from '../../engine/inference/ort-engine.js';
import { describeInstalledModels, modelsRoot } from '../../engine/models/registry.js';
import { errorMessage } from '../../engine/util/errors.js';
import type { GlobalOptions } from '../shared.js';

export async function doctorReport(backend?: string) {
  // The inference engine (onnxruntime or TensorFlow.js) that denoising will use, and every onnxruntime
  // provider's status whichever was chosen.
  let engineReport: unknown;
  try {
    const c = await createInferenceEngine(backend);
    c.engine.dispose();
    const ort = await probeOrtProviders();
    const attempts = [...ort, ...c.attempts.filter((a) => !ort.some((o) => o.name === a.name))];
    engineReport = { chosen: c.chosen, why: c.why, attempts };
  } catch (e) {
    engineReport = { error: errorMessage(e), attempts: await probeOrtProviders().catch(() => []) };
  }
  let backendReport: unknown;
  try {
    backendReport = await initBackend(backend);
  } catch (e) {
    backendReport = { error: errorMessage(e) };
  }
  const models = await describeInstalledModels();
  return {
    engine: engineReport,
    backend: backendReport,
    cpu: { cores: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30) },
    threads: availableParallelism(),
    versions: {
      node: process.versions.node,
      sharp: sharp.versions.sharp,
      libvips: sharp.versions.vips,
      onnxruntime: await loadOrt().then(ortVersion, () => 'not loaded'),
    },
    modelsDir: modelsRoot(),
    models,
  };
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show the backend in use and why others were skipped, cores, versions and installed models')
    .option('--json', 'print JSON', false)
    .action(async (o: { json: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const r = await doctorReport(g.backend);
      if (o.json) {
        console.log(JSON.stringify(r, null, 2));
        return;
      }
      type Report = { chosen?: string; why?: string; attempts?: { name: string; ok: boolean; reason: string }[]; error?: string };
      const en = r.engine as Report;
      console.log(`engine:   ${en.chosen ?? 'none'}${en.why ? ` (${en.why})` : ''}${en.error ? ` — ${en.error}` : ''}  [inference]`);
      for (const a of en.attempts ?? []) console.log(`  ${a.ok ? '✓' : '✗'} ${a.name.padEnd(14)} ${a.reason}`);
      const b = r.backend as Report;
      console.log(`backend:  ${b.chosen ?? 'none'}${b.why ? ` (${b.why})` : ''}${b.error ? ` — ${b.error}` : ''}  [TensorFlow.js: training, fallback]`);
      for (const a of b.attempts ?? []) console.log(`  ${a.ok ? '✓' : '✗'} ${a.name.padEnd(14)} ${a.reason}`);
      console.log(`cpu:      ${r.cpu.cores} cores, ${r.cpu.model}, ${r.cpu.memoryGiB} GiB; worker threads ${r.threads}`);
      console.log(`versions: node ${r.versions.node}, sharp ${r.versions.sharp}, libvips ${r.versions.libvips}, onnxruntime ${r.versions.onnxruntime}`);
      console.log(`models:   ${r.modelsDir}`);
      if (r.models.length === 0) console.log('  (none installed)');
      for (const m of r.models) console.log(`  ${m.ok ? '✓' : '✗'} ${m.id.padEnd(8)} ${m.ok ? `${m.task}, ${m.parameters} parameters` : m.error}`);
    });
}
