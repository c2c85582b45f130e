// Zoom and pan for the compare view: one transform shared by both images, so they stay in step.
export interface View {
  scale: number;
  x: number;
  y: number;
}

export const MAX_SCALE = 32;

/** Fit the image in the viewport, never enlarging past 1:1, centred. */
export function fitView(imgW: number, imgH: number, vw: number, vh: number): View {
  const scale = Math.min(1, vw / imgW, vh / imgH);
  return { scale, x: (vw - imgW * scale) / 2, y: (vh - imgH * scale) / 2 };
}

/** Zoom by `factor` keeping the image point under (cx, cy) where it is. */
export function zoomAt(v: View, factor: number, cx: number, cy: number, minScale: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(minScale, v.scale * factor));
  const k = scale / v.scale;
  return { scale, x: cx - (cx - v.x) * k, y: cy - (cy - v.y) * k };
}

export function panBy(v: View, dx: number, dy: number): View {
  return { ...v, x: v.x + dx, y: v.y + dy };
}
