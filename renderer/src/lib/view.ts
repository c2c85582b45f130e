// Zoom and pan shared by the compare view and the mask editor: one transform (an image pixel p lands on
// the screen at x + scale·p), and the same steps, limits and keys in both, so the two feel the same.
export interface View {
  scale: number;
  x: number;
  y: number;
}

export const MAX_SCALE = 32;
/** One press of + or − (key or button). */
export const ZOOM_STEP = 1.25;
/** One press of an arrow key, in screen pixels. */
export const PAN_STEP = 40;

/** Fit the image in the viewport, centred, enlarging it at most to `maxScale` (1:1 unless told). */
export function fitView(imgW: number, imgH: number, vw: number, vh: number, maxScale = 1): View {
  const scale = Math.min(maxScale, vw / imgW, vh / imgH);
  return { scale, x: (vw - imgW * scale) / 2, y: (vh - imgH * scale) / 2 };
}

/** The smallest zoom: half the fitted scale (half of 1:1 when the image fits), so the image never vanishes. */
export function minScale(fitScale: number): number {
  return Math.min(fitScale, 1) / 2;
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

/** The zoom factor of one wheel event: smooth for trackpads, about ×1.2 for a mouse notch. */
export function wheelFactor(deltaY: number): number {
  return Math.exp(-deltaY * 0.0015);
}

/** What a key or a zoom button asks of a view. */
export type ViewCommand = { kind: 'zoom'; factor: number } | { kind: 'fit' } | { kind: 'actual-size' } | { kind: 'pan'; dx: number; dy: number };

/**
 * The view keys: + (or =) and − zoom about the centre, 0 fits, 1 shows 1:1, arrows pan. Undefined for other
 * keys and with Ctrl, ⌘ or Alt held (those belong to the app's shortcuts).
 */
export function viewKeyCommand(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>): ViewCommand | undefined {
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  const keys: Record<string, ViewCommand> = {
    '+': { kind: 'zoom', factor: ZOOM_STEP },
    '=': { kind: 'zoom', factor: ZOOM_STEP },
    '-': { kind: 'zoom', factor: 1 / ZOOM_STEP },
    '0': { kind: 'fit' },
    '1': { kind: 'actual-size' },
    ArrowLeft: { kind: 'pan', dx: PAN_STEP, dy: 0 },
    ArrowRight: { kind: 'pan', dx: -PAN_STEP, dy: 0 },
    ArrowUp: { kind: 'pan', dx: 0, dy: PAN_STEP },
    ArrowDown: { kind: 'pan', dx: 0, dy: -PAN_STEP },
  };
  return keys[e.key];
}

/**
 * The view after a command, given the fitted view and the viewport's size (zooms keep its centre still).
 * `fitted` says whether the result is the fitted view, which the caller keeps fitting as the viewport resizes.
 */
export function runViewCommand(v: View, c: ViewCommand, fit: View, vw: number, vh: number): { view: View; fitted: boolean } {
  switch (c.kind) {
    case 'fit':
      return { view: fit, fitted: true };
    case 'zoom':
      return { view: zoomAt(v, c.factor, vw / 2, vh / 2, minScale(fit.scale)), fitted: false };
    case 'actual-size':
      return { view: zoomAt(v, 1 / v.scale, vw / 2, vh / 2, minScale(fit.scale)), fitted: false };
    case 'pan':
      return { view: panBy(v, c.dx, c.dy), fitted: false };
  }
}

/** Two touching fingers: their distance and midpoint relative to `el`, for pinch-zoom about the midpoint. */
export interface Pinch {
  dist: number;
  mx: number;
  my: number;
}

export function pinchOf(touches: Map<number, { x: number; y: number }>, el: Element): Pinch {
  const [a, b] = [...touches.values()];
  const r = el.getBoundingClientRect();
  return { dist: Math.hypot(a.x - b.x, a.y - b.y), mx: (a.x + b.x) / 2 - r.left, my: (a.y + b.y) / 2 - r.top };
}

/** Keeps the pointer's moves coming while it is outside the element; a pointer the browser no longer tracks
 *  (lifted already, or synthetic) cannot be captured, which is harmless. */
export function capturePointer(e: PointerEvent): void {
  try {
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
  } catch {
    // nothing to capture
  }
}
