// Worker thread for the codec: compress and restore files, estimate a setting, decode a preview. Keeping
// this work off the caller's thread keeps the app's main process (and the twin's server) responsive: the
// float64 hyper-synthesis, the entropy coder and the pixel loops are plain JavaScript that would block it.
import { workerData } from 'node:worker_threads';
import { readImage, encodeImage, type RasterImage } from '../image/io.js';
import { codecModelForHeader, loadCodecModel } from './codec-registry.js';
import { sharedCodecTransforms } from './transform-engines.js';
import { compressFile } from './compress-file.js';
import { decompressFile, readAezFile } from './decompress-file.js';
import { checkRate, encodeImageAez, decodeImageAez } from './image-codec.js';
import { serveCalls } from '../workers/serve.js';
import type { CodecWorkerInit, CodecWorkerRequest } from './codec-worker-protocol.js';

const init = workerData as CodecWorkerInit;
const transforms = sharedCodecTransforms(init.backend, init.threads);
let lastImage: { path: string; img: Promise<RasterImage> } | undefined;
async function handle(req: CodecWorkerRequest, signal: AbortSignal, onProgress: (fraction: number) => void): Promise<unknown> {
  const rt = await transforms;
  switch (req.op) {
    case 'check-model': {
      const model = await loadCodecModel(req.model);
      if (req.rate) checkRate(model, req.rate);
      return null;
    }
    case 'compress':
      return compressFile(req.input, req.output, await loadCodecModel(req.model), { rate: req.rate, overwrite: req.overwrite, transforms: rt, signal, onProgress });
    case 'decompress':
      return decompressFile(req.input, req.output, { overwrite: req.overwrite, transforms: rt, signal, onProgress });
    case 'estimate': {
      const model = await loadCodecModel(req.model);
      if (lastImage?.path !== req.input) lastImage = { path: req.input, img: readImage(req.input) };
      const img = await lastImage.img.catch((e) => {
        lastImage = undefined;
        throw e;
      });
      const r = await encodeImageAez(model, img, { rate: req.rate, measure: true, transforms: rt, signal });
      return { bytes: r.bytes.length, bpp: r.bpp, quality: r.quality, psnr: r.psnr!, ...(r.targetMissed ? { targetMissed: true } : {}) };
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
