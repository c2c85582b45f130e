// Worker thread for the codec: compress and restore files, estimate a setting, decode a preview. Keeping
// this work off the caller's thread keeps the app's main process (and the twin's server) responsive: the
// float64 hyper-synthesis, the entropy coder and the pixel loops are plain JavaScript that would block it.
import { parentPort, workerData } from 'node:worker_threads';
import { errorCode, errorMessage } from '../util/errors.js';
import { readImage, encodeImage, type RasterImage } from '../image/io.js';
import { codecModelForHeader, loadCodecModel } from './codec-registry.js';
import { sharedCodecTransforms } from './codec-transforms.js';
import { compressFile } from './compress-file.js';
import { decompressFile, readAezFile } from './decompress-file.js';
import { checkRate, encodeImageAez, decodeImageAez } from './image-codec.js';
import { retireThread } from '../inference/native-calls.js';
import type { CodecWorkerControl, CodecWorkerInit, CodecWorkerReply, CodecWorkerRequest } from './codec-worker-protocol.js';

const port = parentPort!;
const init = workerData as CodecWorkerInit;
const transforms = sharedCodecTransforms(init.backend, init.threads);
let lastImage: { path: string; img: Promise<RasterImage> } | undefined;
/** The requests in hand, to cancel by id. */
const running = new Map<number, AbortController>();

function reply(msg: CodecWorkerReply): void {
  port.postMessage(msg);
}

async function handle(req: CodecWorkerRequest, signal: AbortSignal): Promise<unknown> {
  const rt = await transforms;
  const onProgress = (fraction: number) => reply({ type: 'progress', id: req.id, fraction });
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

port.on('message', (req: CodecWorkerRequest | CodecWorkerControl) => {
  if (req.op === 'cancel') return running.get(req.id)?.abort();
  if (req.op === 'retire') {
    for (const c of running.values()) c.abort();
    return void retireThread();
  }
  const ctl = new AbortController();
  running.set(req.id, ctl);
  handle(req, ctl.signal)
    .then(
      (result) => reply({ type: 'done', id: req.id, result }),
      (e) => reply({ type: 'error', id: req.id, code: errorCode(e), message: errorMessage(e) }),
    )
    .finally(() => running.delete(req.id));
});
