#!/bin/sh
# One GPU slot: train TASK from its pack (gpu-pack/TASK, made here by dist/scripts/torch-pack.js and carried to
# the device machine) for MINUTES of wall clock (default 9), leaving the weights, Adam state, best model weights,
# state.json and log.txt in OUTDIR. Back here, scripts/torch/gpu_import.py turns OUTDIR into a run folder.
#   scripts/torch/gpu-run.sh codec "$OUT" 9
set -eu
task=${1:?usage: gpu-run.sh TASK OUTDIR [MINUTES]}
out=${2:?usage: gpu-run.sh TASK OUTDIR [MINUTES]}
minutes=${3:-9}
cd "$(dirname "$0")/../.."
exec env PYTHONUNBUFFERED=1 "${PYTHON:-python3}" scripts/torch/gpu_run.py --pack "gpu-pack/$task" --out "$out" --minutes "$minutes"
