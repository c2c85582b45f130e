"""Model folders as the app reads them (electron/engine/models/model-file.ts): model.json + weights.bin
(little-endian float16 or float32, in parameter order) with the sha256 of weights.bin."""
import hashlib
import json
import math
import os
import tempfile

import numpy as np

from aez_arch import param_specs


def _write_atomic(path, data):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.aez-tmp-', dir=d)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_model_dir(path):
    """Returns (manifest, flat float32 numpy vector); checks the weight list, size and hash as the app does."""
    with open(os.path.join(path, 'model.json'), encoding='utf8') as f:
        m = json.load(f)
    if m.get('format') != 'aez-model' or m.get('version') != 1:
        raise ValueError(f'{path}: not an AEZ model folder')
    if m['arch']['kind'] not in ('unet', 'hyperprior'):
        raise ValueError(f'{path}: the mirror reads U-Net and codec models; this is a {m["arch"]["kind"]} model')
    specs = param_specs(m['arch'])
    if [(n, s) for n, s, _ in specs] != [(w['name'], w['shape']) for w in m['weights']]:
        raise ValueError(f'{path}: weight list does not match its architecture')
    with open(os.path.join(path, 'weights.bin'), 'rb') as f:
        raw = f.read()
    if hashlib.sha256(raw).hexdigest() != m['sha256']:
        raise ValueError(f'{path}: weights.bin is damaged (hash mismatch)')
    count = sum(math.prod(s) for _, s, _ in specs)
    dtype = '<f2' if m['dtype'] == 'float16' else '<f4'
    flat = np.frombuffer(raw, dtype=dtype, count=count).astype(np.float32)
    return m, flat


def save_model_dir(path, flat, arch, model_id, task, dtype='float16', inputs=None, training=None):
    """Writes a model folder the app loads unchanged (weights first, then the manifest, each atomically).
    float16 rounds to nearest even, as the app's encoder does."""
    os.makedirs(path, exist_ok=True)
    specs = param_specs(arch)
    flat = np.asarray(flat, dtype=np.float32)
    assert flat.size == sum(math.prod(s) for _, s, _ in specs)
    raw = flat.astype('<f2' if dtype == 'float16' else '<f4').tobytes()
    manifest = {'format': 'aez-model', 'version': 1, 'id': model_id, 'task': task, 'arch': arch}
    if inputs:
        manifest['inputs'] = inputs
    manifest['dtype'] = dtype
    manifest['weights'] = [{'name': n, 'shape': s} for n, s, _ in specs]
    manifest['sha256'] = hashlib.sha256(raw).hexdigest()
    if training:
        manifest['training'] = training
    _write_atomic(os.path.join(path, 'weights.bin'), raw)
    _write_atomic(os.path.join(path, 'model.json'), (json.dumps(manifest, indent=2) + '\n').encode('utf8'))
    return manifest
