// The `aez` command line. Every command calls the same engine the desktop app and web host use.
import { Command, CommanderError } from 'commander';
import { AezError, errorMessage } from '../engine/util/errors.js';
import { isBackendName, BACKEND_NAMES } from '../engine/tfjs/backend-names.js';
import { registerCompress } from './commands/compress.js';
import { registerDecompress } from './commands/decompress.js';
import { registerDemo } from './commands/demo.js';
import { registerDenoise } from './commands/denoise.js';
import { registerDoctor } from './commands/doctor.js';
import { registerInfo } from './commands/info.js';
import { registerInpaint } from './commands/inpaint.js';
import { registerServe } from './commands/serve.js';
import { registerTrain } from './commands/train.js';
import { registerQueue } from './commands/queue.js';
import { registerWorker } from './commands/worker.js';

const program = new Command();
program
  .name('aez')
  .description('AEZ: compress, restore, denoise and inpaint images with autoencoders')
  .option('--backend <name>', `force an inference engine or TensorFlow.js backend: ${BACKEND_NAMES.join(', ')} (or set AEZ_BACKEND)`)
  .option('--threads <n>', 'worker threads (default: all cores)', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new AezError('BAD_ARGUMENT', `--threads must be a whole number from 1 to 256, got "${v}"`);
    return n;
  })
  .hook('preAction', (cmd) => {
    const b = cmd.opts().backend as string | undefined;
    if (b !== undefined) {
      if (!isBackendName(b)) throw new AezError('BAD_ARGUMENT', `unknown backend "${b}": choose one of ${BACKEND_NAMES.join(', ')}`);
      process.env.AEZ_BACKEND = b; // worker threads read it too
    }
  })
  .showHelpAfterError()
  .exitOverride();

registerCompress(program);
registerDecompress(program);
registerDemo(program);
registerDenoise(program);
registerDoctor(program);
registerInfo(program);
registerInpaint(program);
registerServe(program);
registerTrain(program);
registerQueue(program);
registerWorker(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  process.stderr.write(`aez: ${errorMessage(e)}\n`);
  process.exit(e instanceof AezError && e.code === 'CANCELLED' ? 130 : 2);
}
