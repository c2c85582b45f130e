// Left–right mirror of interleaved planes, and the mean of a result with the mirrored run's result: a
// two-view self-ensemble. A network trained on flipped crops is nearly, not exactly, mirror-equivariant;
// averaging the two views cancels part of its error at twice the cost.

/** The w×h×c planes mirrored left to right (a new array). */
export function mirrorColumns(data: Float32Array, width: number, height: number, channels: number): Float32Array {
  const out = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const from = (row + x) * channels;
      const to = (row + width - 1 - x) * channels;
      for (let k = 0; k < channels; k++) out[to + k] = data[from + k];
    }
  }
  return out;
}

/** (plain + mirror⁻¹(mirrored)) / 2, written into `plain`. */
export function averageWithMirrored(plain: Float32Array, mirrored: Float32Array, width: number, height: number, channels: number): Float32Array {
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const at = (row + x) * channels;
      const from = (row + width - 1 - x) * channels;
      for (let k = 0; k < channels; k++) plain[at + k] = 0.5 * (plain[at + k] + mirrored[from + k]);
    }
  }
  return plain;
}
