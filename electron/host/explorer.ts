// Explore mode on the engine (engine/explorer/explorer.ts): one validated request type for every question the view
// asks of a demo model. Images travel as base64 of 8-bit grey 28×28 pixels (n·784 bytes), which IPC and
// the twin's JSON carry alike; latent points as plain number arrays.
import { z } from 'zod';
import type { DemoModelSummary, DemoRequest, DemoResponse } from '../shared/api.js';
import { DEMO_MODELS } from '../engine/explorer/catalog.js';
import { DemoExplorer, listExplorerModels, lossVsLatentSize } from '../engine/explorer/explorer.js';
import type { InferenceEngine } from '../engine/inference/engine.js';
import { createInferenceEngine } from '../engine/inference/select.js';
import { Lazy } from '../engine/util/lazy.js';
import { RAW_PIXELS } from '../engine/explorer/datasets.js';
import { errorMessage } from '../engine/util/errors.js';
import { HostError, parseArg } from './schemas.js';

const name = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a demo model name');
const index = z.number().int().min(0).max(1_000_000);
const point = z.array(z.number().finite().min(-1e6).max(1e6)).min(1).max(256);

export const demoRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('models') }).strict(),
  z.object({ kind: z.literal('embeddings'), model: name }).strict(),
  z.object({ kind: z.literal('decode'), model: name, points: z.array(point).min(1).max(2500) }).strict(),
  z.object({ kind: z.literal('images'), model: name, indices: z.array(index).min(1).max(400) }).strict(),
  z.object({ kind: z.literal('sample'), model: name, sampler: z.enum(['uniform', 'normal', 'class']), count: z.number().int().min(1).max(64), seed: index, classIndex: z.number().int().min(0).max(255).optional() }).strict(),
  z.object({ kind: z.literal('interpolate'), model: name, a: index, b: index, frames: z.number().int().min(2).max(32) }).strict(),
  z.object({ kind: z.literal('grid'), model: name, cols: z.number().int().min(1).max(40), rows: z.number().int().min(1).max(40) }).strict(),
  z.object({ kind: z.literal('denoise'), model: name, index, sigma: z.number().min(0).max(1), seed: index }).strict(),
  z.object({ kind: z.literal('lossVsSize'), dataset: z.enum(['fashion-mnist', 'mnist']), modelKind: z.enum(['ae', 'vae']) }).strict(),
]);

function toB64(images: Float32Array): string {
  return Buffer.from(Uint8Array.from(images, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255))).toString('base64');
}

export interface ExplorerHostOptions {
  /** Engine as for --backend (default: the chain, onnxruntime first). */
  backend?: string;
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number;
}

export class ExplorerHost {
  private readonly open = new Map<string, Promise<DemoExplorer>>();
  /** One engine for every demo model, made on first use. */
  private readonly engine: Lazy<InferenceEngine>;

  constructor(opts: ExplorerHostOptions = {}) {
    this.engine = new Lazy(() => createInferenceEngine(opts.backend, { threads: opts.threads }).then((c) => c.engine));
  }

  private explorer(model: string): Promise<DemoExplorer> {
    let p = this.open.get(model);
    if (!p) {
      p = this.engine.get().then((engine) => DemoExplorer.open(model, undefined, engine));
      p.catch(() => this.open.delete(model));
      this.open.set(model, p);
    }
    return p.catch((e: unknown) => {
      throw new HostError('MODEL_NOT_FOUND', `The demo model "${model}" cannot be opened: ${errorMessage(e)}`);
    });
  }

  async request(raw: unknown): Promise<DemoResponse> {
    const req = parseArg(demoRequestSchema, raw, 'explorer request') as DemoRequest;
    try {
      return await this.answer(req);
    } catch (e) {
      if (e instanceof HostError) throw e;
      throw new HostError((e as { code?: string })?.code ?? 'BAD_ARGUMENT', errorMessage(e));
    }
  }

  private async answer(req: DemoRequest): Promise<DemoResponse> {
    if (req.kind === 'models') {
      const installed = await listExplorerModels();
      const have = new Set(installed.map((m) => m.name));
      const models: DemoModelSummary[] = [
        ...installed.map((m) => ({ ...m, installed: true })),
        // The catalogue's models that are not trained yet, so the view can say so instead of hiding them.
        ...DEMO_MODELS.filter((s) => !have.has(s.name)).map((s) => ({ name: s.name, title: s.title, kind: s.arch.kind, dataset: s.dataset, latent: s.arch.latent, classNames: [], hasEmbeddings: false, installed: false })),
      ];
      return { kind: 'models', models };
    }
    if (req.kind === 'lossVsSize') return { kind: 'lossVsSize', rows: await lossVsLatentSize(undefined, req.dataset, req.modelKind) };
    const ex = await this.explorer(req.model);
    const sample = (i: number) => {
      if (!ex.samples || i >= ex.samples.manifest.count) throw new HostError('BAD_ARGUMENT', `test image ${i} does not exist (${ex.samples?.manifest.count ?? 0} stored)`);
      return ex.sampleImage(i);
    };
    switch (req.kind) {
      case 'embeddings': {
        const e = await ex.embeddings();
        return { kind: 'embeddings', points: Array.from(e.points), labels: Array.from(e.labels), count: e.count, dim: e.dim, classNames: e.classNames, bounds: e.bounds };
      }
      case 'decode': {
        if (req.points.some((p) => p.length !== ex.latentSize)) throw new HostError('BAD_ARGUMENT', `points must have ${ex.latentSize} coordinates`);
        return { kind: 'images', count: req.points.length, images: toB64(await ex.decode(req.points)) };
      }
      case 'images': {
        const out = new Float32Array(req.indices.length * RAW_PIXELS);
        req.indices.forEach((i, k) => out.set(sample(i), k * RAW_PIXELS));
        return { kind: 'images', count: req.indices.length, images: toB64(out) };
      }
      case 'sample': {
        const r = await ex.sample(req.sampler, req.count, { seed: req.seed, classIndex: req.classIndex });
        return { kind: 'points', count: r.count, points: Array.from(r.points), images: toB64(r.images) };
      }
      case 'interpolate': {
        const r = await ex.interpolate(sample(req.a), sample(req.b), req.frames);
        return { kind: 'points', count: r.count, points: Array.from(r.points), images: toB64(r.images) };
      }
      case 'grid': {
        const r = await ex.grid(req.cols, req.rows);
        return { kind: 'points', count: r.count, points: Array.from(r.points), images: toB64(r.images) };
      }
      case 'denoise': {
        const r = await ex.denoise(sample(req.index), req.sigma, req.seed);
        const all = new Float32Array(3 * RAW_PIXELS);
        all.set(r.clean);
        all.set(r.noisy, RAW_PIXELS);
        all.set(r.restored, 2 * RAW_PIXELS);
        return { kind: 'denoise', images: toB64(all), psnrNoisy: r.psnrNoisy, psnrRestored: r.psnrRestored };
      }
    }
  }

  dispose(): void {
    const explorers = [...this.open.values()];
    this.open.clear();
    const engine = this.engine.take();
    // Close the models first, then the engine they ran on.
    void Promise.allSettled(explorers.map((p) => p.then((e) => e.dispose()))).then(() => engine?.then((e) => e.dispose(), () => {}));
  }
}
