#!/usr/bin/env python3
"""Checks the mirror where PyTorch is installed: its U-Nets and codec against the committed fixtures (the TypeScript test
test/torch-mirror.test.ts checks the app against the same files), and a model folder read and written back
bit-identically."""
import os
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
print('selftest passed')
