// Queue throughput on this machine: N noisy photos (validation photos cropped to 512×512, σ 25) denoised with
// the shipped photo model through `aez queue add` and `aez worker`, drained by 1 worker (2 threads) and by 2
// workers (1 thread each), files per minute from the first worker's start to the last one's exit. Needs
// Debian's redis-server; starts its own on a free loopback port.
//   node dist/scripts/bench-queue.js [--files 20]
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const { values: a } = parseArgs({ options: { files: { type: 'string', default: '20' }, photos: { type: 'string', default: '../shared/data/photos/val' } } });
const AEZ = resolve('bin/aez.js');

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

async function main(): Promise<void> {
  const n = Number(a.files);
  const dir = await mkdtemp(join(tmpdir(), 'aez-bench-queue-'));
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const aez = (args: string[]) => spawnSync(process.execPath, [AEZ, ...args], { encoding: 'utf8', cwd: dir });
  try {
    for (let i = 0; i < 50 && aez(['queue', 'status', '--redis', url]).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    const inDir = join(dir, 'in');
    await mkdir(inDir);
    const sources = (await readdir(resolve(a.photos!))).filter((f) => /\.(png|jpe?g|tif)$/i.test(f)).sort();
    for (let i = 0; i < n; i++) {
      const { data, info } = await sharp(join(resolve(a.photos!), sources[i % sources.length])).resize(512, 512, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      for (let j = 0; j < data.length; j++) data[j] = Math.max(0, Math.min(255, Math.round(data[j] + 25 * Math.sqrt(-2 * Math.log(Math.random() + 1e-12)) * Math.cos(2 * Math.PI * Math.random()))));
      await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toFile(join(inDir, `p${String(i).padStart(3, '0')}.png`));
    }
    console.log(`${n} photos 512×512 (σ 25), shipped photo model, this machine; nothing else running\n`);
    console.log('| workers | threads each | seconds | files per minute |\n|---|---|---|---|');
    for (const [workers, threads] of [
      [1, 2],
      [2, 1],
    ]) {
      aez(['queue', 'clear', '--redis', url]);
      const out = join(dir, `out-${workers}`);
      const add = aez(['queue', 'add', 'denoise', inDir, '-o', out, '--redis', url, '--model', 'photo']);
      if (add.status !== 0) throw new Error(add.stderr);
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: workers }, () => new Promise<void>((res, rej) => {
          const w = spawn(process.execPath, [AEZ, '--threads', String(threads), 'worker', '--redis', url, '--allow', dir, '--exit-when-idle'], { cwd: dir, stdio: 'ignore' });
          w.once('exit', (code) => (code === 0 ? res() : rej(new Error(`worker exited ${code}`))));
        })),
      );
      const s = (performance.now() - t0) / 1000;
      const written = (await readdir(out)).length;
      if (written !== n) throw new Error(`${written} outputs, expected ${n}`);
      console.log(`| ${workers} | ${threads} | ${s.toFixed(1)} | ${((n / s) * 60).toFixed(1)} |`);
    }
  } finally {
    redis.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
