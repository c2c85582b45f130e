// aez doctor: what this install can do — inference engine and TensorFlow.js backend chosen and why others
// were skipped, cores, versions, models.
import type { Command } from 'commander';
import type { GlobalOptions } from '../shared.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show the backend in use and why others were skipped, cores, versions and installed models')
    .option('--json', 'print JSON', false)
    .action(async (o: { json: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { doctorReport } = await import('../../engine/diagnostics/doctor-report.js');
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
