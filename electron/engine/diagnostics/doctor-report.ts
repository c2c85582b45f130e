// What this install can do: the inference engine and TensorFlow.js backend chosen and why others were
// skipped, cores, versions, models. Shown by `aez doctor` and the app's Settings.
import { availableParallelism, cpus, totalmem } from 'node:os';
import sharp from 'sharp';
import { initBackend } from '../tfjs/backend.js';
import { createInferenceEngine, probeOrtProviders } from '../inference/select.js';
import { loadOrt, ortVersion } from '../inference/ort-engine.js';
import { describeInstalledModels, modelsRoot } from '../models/registry.js';
import { errorMessage } from '../util/errors.js';

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
