"""Client of scripts/torch-feed.ts: the Node process that sets up the run, makes the batches and validation
sets, scores validations and writes checkpoints and model folders with the app's own code (see that file for
the protocol: a JSON line, then raw little-endian float32 bytes)."""
import json
import os
import subprocess

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FEEDER = os.path.join(ROOT, 'dist', 'scripts', 'torch-feed.js')


class Feed:
    def __init__(self, options, node='node'):
        if not os.path.exists(FEEDER):
            raise SystemExit('the mirror needs the built project: run "npm install" (or "npm run build") first')
        self.proc = subprocess.Popen([node, FEEDER, json.dumps(options)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=os.getcwd())
        self.sent = 0
        self.read_count = 0
        self.stash = {}

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            raise SystemExit(f'the feeder stopped (exit code {code}); its message is above')
        msg = json.loads(line)
        n = msg.get('bytes', 0)
        data = self.proc.stdout.read(n) if n else b''
        if len(data) != n:
            raise SystemExit('the feeder stopped mid-message')
        return msg, data

    def send(self, msg, *arrays):
        """Sends a request; returns its ticket for wait()."""
        raw = b''.join(np.ascontiguousarray(a, dtype='<f4').tobytes() for a in arrays)
        self.proc.stdin.write((json.dumps({**msg, 'bytes': len(raw)}) + '\n').encode('utf8') + raw)
        self.proc.stdin.flush()
        self.sent += 1
        return self.sent

    def wait(self, ticket):
        """The reply to request `ticket` (replies come in request order; earlier ones are kept for their wait)."""
        while self.read_count < ticket:
            self.read_count += 1
            self.stash[self.read_count] = self._read()
        return self.stash.pop(ticket)

    def call(self, msg, *arrays):
        return self.wait(self.send(msg, *arrays))

    def start(self):
        msg, data = self._read()
        if msg['op'] != 'start':
            raise SystemExit(f'unexpected first message from the feeder: {msg["op"]}')
        return msg, np.frombuffer(data, dtype='<f4')

    def close(self):
        try:
            self.send({'op': 'quit'})
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        self.proc.wait()


def floats(data, offset, count):
    return np.frombuffer(data, dtype='<f4', count=count, offset=offset * 4)
