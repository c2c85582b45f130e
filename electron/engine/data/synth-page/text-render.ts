// Renders Pango markup to ink coverage with sharp (the slow part of making a page), and the font
// descriptions and metrics the layout needs.
import sharp from 'sharp';

export interface Coverage {
  w: number;
  h: number;
  /** Ink coverage 0..255, row-major. */
  data: Uint8Array;
}

interface TextOpts {
  width?: number;
  align?: 'left' | 'centre' | 'right';
  justify?: boolean;
  /** Extra space between lines, in px (libvips/Pango; not scaled by dpi). */
  spacing?: number;
}

/** Renders Pango markup; sharp trims the result to the ink's bounding box. */
export async function renderText(markup: string, font: string, dpi: number, o: TextOpts = {}): Promise<Coverage> {
  const { data, info } = await sharp({
    text: {
      text: markup,
      font,
      dpi: Math.round(dpi),
      width: o.width !== undefined ? Math.max(8, Math.floor(o.width)) : undefined,
      align: o.align ?? 'left',
      justify: o.justify ?? false,
      spacing: o.spacing !== undefined ? Math.round(o.spacing) : undefined,
      wrap: 'word',
    },
  })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const ch = info.channels;
  const out = new Uint8Array(info.width * info.height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * ch];
  return { w: info.width, h: info.height, data: out };
}

interface FontMetrics {
  capH: number;
  xH: number;
}

export async function fontMetrics(font: string, dpi: number): Promise<FontMetrics> {
  const [cap, x] = await Promise.all([renderText('H', font, dpi), renderText('x', font, dpi)]);
  return { capH: cap.h, xH: x.h };
}

export function fontDesc(family: string, pt: number): string {
  return `${family} ${pt.toFixed(2)}`;
}
