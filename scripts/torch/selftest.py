#!/usr/bin/env python3
"""Checks the mirror where PyTorch is installed: its U-Nets and codec against the committed fixtures (the TypeScript test
test/torch-mirror.test.ts checks the app against the same files), every shipped model folder read and written back
bit-identically, and the GPU path end to end on the CPU with a tiny budget (pack, gpu_run, import, a model the
app's loader accepts)."""
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import fixtures  # noqa: E402
from model_io import load_model_dir, save_model_dir  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')

fixtures.check()
for name in ('photo', 'scan', 'inpaint', 'codec'):
    src = os.path.join(ROOT, 'models', name)
    m, flat = load_model_dir(src)
    with tempfile.TemporaryDirectory() as d:
        save_model_dir(d, flat, m['arch'], m['id'], m['task'], m['dtype'], m.get('inputs'), m.get('training'))
        with open(os.path.join(src, 'weights.bin'), 'rb') as a, open(os.path.join(d, 'weights.bin'), 'rb') as b:
            assert a.read() == b.read(), f'{name}: weights.bin not written back identically'
        m2, flat2 = load_model_dir(d)
        assert m2['sha256'] == m['sha256'] and np.array_equal(flat, flat2)
    print(f'models/{name}: read and written back identically')


def gpu_path():
    from PIL import Image
    rng = np.random.default_rng(3)
    with tempfile.TemporaryDirectory() as d:
        photos = os.path.join(d, 'photos')
        os.makedirs(photos)
        for i in range(4):
            yy, xx = np.mgrid[0:160, 0:200]
            img = np.stack([128 + 100 * np.sin(xx / (7 + i)), 128 + 90 * np.cos(yy / 5), (xx + yy) % 256], -1) + rng.normal(0, 8, (160, 200, 3))
            Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(os.path.join(photos, f'p{i}.png'))
        pack, out, run = (os.path.join(d, n) for n in ('pack', 'out', 'run'))
        subprocess.run(['node', os.path.join(ROOT, 'dist', 'scripts', 'torch-pack.js'), '--task', 'codec', '--pack', pack, '--data', photos,
                        '--val', photos, '--batch', '2', '--init-from', os.path.join(ROOT, 'models', 'codec')], check=True, cwd=ROOT)
        here = os.path.dirname(os.path.abspath(__file__))
        subprocess.run([sys.executable, os.path.join(here, 'gpu_run.py'), '--pack', pack, '--out', out, '--minutes', '0.4', '--device', 'cpu',
                        '--threads', '2'], check=True)
        subprocess.run([sys.executable, os.path.join(here, 'gpu_import.py'), out, '--pack', pack, '--run', run], check=True, cwd=ROOT)
        m, flat = load_model_dir(os.path.join(run, 'model'))
        assert m['arch'].get('exactSynthesis') and m['training']['trainer'] == 'pytorch-mirror', m['training']
        assert np.all(np.isfinite(flat))
    print('GPU path (pack, gpu_run on the CPU, import): a calibrated model folder')


gpu_path()
print('selftest passed')
