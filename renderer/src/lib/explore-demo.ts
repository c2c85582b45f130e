// Explore mode's vocabulary: the demo responses its views work with, and points of the latent plane
// with their decoded images (samples, interpolation frames).
import type { DemoResponse } from '../../../electron/shared/api.js';

export type Emb = Extract<DemoResponse, { kind: 'embeddings' }>;
export type Pts = Extract<DemoResponse, { kind: 'points' }>;
export type Imgs = Extract<DemoResponse, { kind: 'images' }>;
export type Den = Extract<DemoResponse, { kind: 'denoise' }>;
export type Loss = Extract<DemoResponse, { kind: 'lossVsSize' }>;

/** A chosen end of the interpolation (a test image), marked on the plane. */
export type PlaneMarker = { end: 'A' | 'B'; index: number };

/** Latent points and the image decoded from each. */
export type DecodedPoints = { points: number[][]; images: Uint8Array[] };

/** The `d`-dimensional points of a response, one array each. */
export function pointsOf(r: Pts, d: number): number[][] {
  return Array.from({ length: r.count }, (_, k) => r.points.slice(k * d, (k + 1) * d));
}
