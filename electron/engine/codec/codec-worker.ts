// Worker thread for the codec: compress and restore files, estimate a setting, decode a preview. Keeping
// this work off the caller's thread keeps the app's main process (and the twin's server) responsive: the
// float64 hyper-synthesis, the entropy coder and the pixel loops are plain JavaScript that would block it.
import { workerData } from 'node:worker_threads';
import { encodeImage } from '../image/io.js';
import { codecModelForHeader, loadCodecModel } from './codec-registry.js';
import { sharedCodecTransforms } from './transform-engines.js';
import { compressFile, measuredEncode } from './compress-file.js';
import { encodeKey, forgetRecent, isRecent, keepEncode, recentImage } from './recent-image.js';
import { AezError } from '../util/errors.js';
import { decompressFile, readAezFile } from './decompress-file.js';
import { checkRate, decodeImageAez } from './image-codec.js';
import { serveCalls } from '../workers/serve.js';
import type { CodecWorkerInit, CodecWorkerRequest } from './codec-worker-protocol.js';

const init = workerData as CodecWorkerInit;
const transforms = sharedCodecTransforms(init.backend, init.threads);
async function handle(req: CodecWorkerRequest, signal: AbortSignal, onProgress: (fraction: number) => void): Promise<unknown> {
  const rt = await transforms;
  switch (req.op) {
    case 'check-model': {
      const model = await loadCodecModel(req.model);
      if (req.rate) checkRate(model, req.rate);
      return null;
    }
    case 'compress': {
      const model = await loadCodecModel(req.model);
      // The image Compress just estimated: its decoded pixels, analysis and (same settings) bytes are reused.
      const r = (await isRecent(req.input)) ? await recentImage(req.input) : undefined;
      const img = r ? await r.img.catch(() => undefined) : undefined;
      return compressFile(req.input, req.output, model, {
        rate: req.rate,
        effort: req.effort,
        overwrite: req.overwrite,
        transforms: rt,
        signal,
        onProgress,
        // An estimate is made without refinement: its bytes are the file's only at effort 0.
        ...(r && img ? { image: img, analysis: r.analysis, ...(req.effort ? {} : { encoded: r.encodes.get(encodeKey(model.sha256, req.rate)) }) } : {}),
      });
    }
    case 'decompress':
      return decompressFile(req.input, req.output, { overwrite: req.overwrite, transforms: rt, signal, onProgress });
    case 'estimate': {
      const model = await loadCodecModel(req.model);
      const recent = await recentImage(req.input).catch(() => {
        throw new AezError('INPUT_NOT_FOUND', `${req.input}: no such file`);
      });
      const img = await recent.img.catch((e) => {
        forgetRecent();
        throw e;
      });
      const key = encodeKey(model.sha256, req.rate);
      let r = recent.encodes.get(key);
      if (!r) {
        // Encoded and measured as compressFile does, so these bytes and figures are the file's if the user compresses now.
        r = await measuredEncode(model, img, req.input, { rate: req.rate, transforms: rt, signal, analysis: recent.analysis });
        keepEncode(recent, key, r);
      }
      return { bytes: r.bytes.length, bpp: r.bpp, quality: r.quality, psnr: r.psnr!, ...(r.ssim !== undefined ? { ssim: r.ssim } : {}), ...(r.targetMissed ? { targetMissed: true } : {}) };
    }
    case 'preview': {
      const { file, bytes } = await readAezFile(req.input);
      const img = await decodeImageAez(await codecModelForHeader(file.header), file, { transforms: rt, signal });
      const png = await encodeImage(img, 'png');
      return { png: new Uint8Array(png), width: img.width, height: img.height, fileSize: bytes };
    }
  }
}

// One method: the request says which operation (codec-worker-protocol.ts); cancel and retire are the bridge's.
serveCalls({ run: (req: CodecWorkerRequest, ctx) => handle(req, ctx.signal, ctx.onProgress) });
