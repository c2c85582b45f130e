// Explore mode's images: base64 of n 28×28 grey bytes from the host, drawn onto canvases.

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

/** The n images of a base64 payload, each 784 bytes. */
export function splitImages(b64: string, count: number): Uint8Array[] {
  const bin = atob(b64);
  const all = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) all[i] = bin.charCodeAt(i);
  return Array.from({ length: count }, (_, k) => all.subarray(k * PIXELS, (k + 1) * PIXELS));
}

/** A 28×28 canvas holding one image (white on black, as the data sets are). */
export function imageCanvas(px: Uint8Array): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = SIDE;
  c.height = SIDE;
  const ctx = c.getContext('2d')!;
  const data = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < PIXELS; i++) {
    data.data[4 * i] = data.data[4 * i + 1] = data.data[4 * i + 2] = px[i];
    data.data[4 * i + 3] = 255;
  }
  ctx.putImageData(data, 0, 0);
  return c;
}

/** Draws an image scaled into a canvas element (nearest neighbour, so pixels stay visible). */
export function paint(target: HTMLCanvasElement | undefined, px: Uint8Array | undefined): void {
  if (!target) return;
  const ctx = target.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, target.width, target.height);
  if (px) ctx.drawImage(imageCanvas(px), 0, 0, target.width, target.height);
}

/** Ten distinguishable class colours (Tableau 10). */
export const CLASS_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
