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
import { encodeImageAez, decodeImageAez } from './image-codec.js';
import type { CodecWorkerInit, CodecWorkerReply, CodecWorkerRequest } from './codec-worker-protocol.js';

const port = parentPort!;
const init = workerData as CodecWorkerInit;
const transforms = sharedCodecTransforms(init.backend, init.threads);
let lastImage: { path: string; img: Promise<RasterImage> } | undefined;

function reply(msg: CodecWorkerReply): void {
  port.postMessage(msg);
}

async function handle(req: CodecWorkerRequest): Promise<unknown> {
  const rt = await transforms;
  const onProgress = (fraction: number) => reply({ type: 'progress', id: req.id, fraction });
  switch (req.op) {
    case 'check-model':
      await loadCodecModel(req.model);
      return null;
    case 'compress':
      return compressFile(req.input, req.output, await loadCodecModel(req.model), { rate: req.rate, overwrite: req.overwrite, transforms: rt, onProgress });
    case 'decompress':
      return decompressFile(req.input, req.output, { overwrite: req.overwrite, transforms: rt, onProgress });
    case 'estimate': {
      const model = await loadCodecModel(req.model);
      if (lastImage?.path !== req.input) lastImage = { path: req.input, img: readImage(req.input) };
      const img = await lastImage.img.catch((e) => {
        lastImage = undefined;
        throw e;
      });
      const r = await encodeImageAez(model, img, { rate: req.rate, measure: true, transforms: rt });
      return { bytes: r.bytes.length, bpp: r.bpp, quality: r.quality, psnr: r.psnr!, ...(r.targetMissed ? { targetMissed: true } : {}) };
    }
    case 'preview': {
      const { file, bytes } = await readAezFile(req.input);
      const img = await decodeImageAez(await codecModelForHeader(file.header), file, { transforms: rt });
      const png = await encodeImage(img, 'png');
      return { png: new Uint8Array(png), width: img.width, height: img.height, fileSize: bytes };
    }
  }
}

port.on('message', (req: CodecWorkerRequest) => {
  handle(req).then(
    (result) => reply({ type: 'done', id: req.id, result }),
    (e) => reply({ type: 'error', id: req.id, code: errorCode(e), message: errorMessage(e) }),
  );
});
