// Distortion between an image and its reconstruction, measured as a saved 8-bit file would be.

export interface ImageQuality {
  /** PSNR over all colour samples, 8-bit, dB (99 when identical). */
  psnr: number;
  mse: number;
}

export function imageQuality(a: { data: Float32Array }, b: { data: Float32Array }): ImageQuality {
  if (a.data.length !== b.data.length) throw new Error('images differ in size');
  let se = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.round(a.data[i] * 255) - Math.round(b.data[i] * 255);
    se += d * d;
  }
  const mse = se / a.data.length;
  return { mse, psnr: mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse) };
}
