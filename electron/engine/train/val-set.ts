// What a validation set is: the items a trainer scores its network on, and which way the score improves.

export interface ValItem {
  name: string;
  width: number;
  height: number;
  channels: 1 | 3;
  input: Float32Array;
  target: Float32Array;
  sigma?: number;
  /** Planes per input pixel when the input carries extra planes (inpainting: image + hole mask). */
  inputChannels?: number;
  /** Pixels scored (1) or not (0), one per pixel: inpainting is scored inside the holes. */
  weight?: Float32Array;
}

export interface ValSet {
  /** psnr: higher is better; rmse and rd (the codec's rate–distortion cost): lower is better. */
  metric: 'psnr' | 'rmse' | 'rd';
  items: ValItem[];
}
