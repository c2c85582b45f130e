// Pixel (un)shuffle through reshape + transpose: these have gradients on every backend (tfjs has no
// SpaceToDepth op, and DepthToSpace has no gradient), and they keep every convolution at stride 1, which is
// the case the fast wasm training kernels handle best.
import * as tf from '@tensorflow/tfjs';

/** [N, H, W, C] → [N, H/2, W/2, 4C]; channel order (dy, dx, c), matching PyTorch's pixel_unshuffle up to a fixed permutation. */
export function pixelUnshuffle2(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => {
    // (dx, c) stay adjacent, so a 4-D transpose does it (about twice as fast as 5-D on wasm).
    const a = tf.reshape(x, [n * (h / 2), 2, w / 2, 2 * c]);
    const b = tf.transpose(a, [0, 2, 1, 3]); // [n*h/2, w/2, dy, dx·c]
    return tf.reshape(b, [n, h / 2, w / 2, 4 * c]);
  });
}

/** Inverse of pixelUnshuffle2: [N, H, W, 4C] → [N, 2H, 2W, C]. */
export function pixelShuffle2(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c4] = x.shape;
  const c = c4 / 4;
  return tf.tidy(() => {
    const a = tf.reshape(x, [n * h, w, 2, 2 * c]);
    const b = tf.transpose(a, [0, 2, 1, 3]); // [n*h, dy, w, dx·c]
    return tf.reshape(b, [n, 2 * h, 2 * w, c]);
  });
}
