// The typographic style of one page (font, size, scan resolution, leading, margins, columns), drawn at
// random so pages look like many different documents.
import type { Rng } from '../../util/rng.js';

export const FAMILIES: { name: string; weight: number }[] = [
  { name: 'DejaVu Serif', weight: 4 },
  { name: 'DejaVu Sans', weight: 4 },
  { name: 'DejaVu Serif Condensed', weight: 2 },
  { name: 'DejaVu Sans Condensed', weight: 2 },
  { name: 'DejaVu Sans Mono', weight: 1.5 },
  { name: 'DejaVu Sans Light', weight: 0.7 },
];

export function pickWeighted<T extends { weight: number }>(rng: Rng, items: readonly T[]): T {
  let total = 0;
  for (const it of items) total += it.weight;
  let r = rng.next() * total;
  for (const it of items) {
    r -= it.weight;
    if (r < 0) return it;
  }
  return items[items.length - 1];
}

export interface PageStyle {
  family: string;
  pt: number;
  dpi: number;
  em: number;
  justify: boolean;
  italic: boolean;
  indentFirst: boolean;
  paraGap: number;
  spacing: number | undefined;
  margin: number;
  columns: number;
  ruleThickness: number;
}

export function pickStyle(rng: Rng, layoutWidth: number): PageStyle {
  const family = pickWeighted(rng, FAMILIES).name;
  // 8–16 pt type scanned at roughly 100–300 dpi: an em of 11–44 px, log-uniform (the Kaggle pages sit at
  // about 15–25 px, 300 dpi office scans at 35–45 px).
  const em = Math.exp(rng.uniform(Math.log(11), Math.log(44)));
  const pt = rng.uniform(8, 16);
  const dpi = (em * 72) / pt;
  const indentFirst = rng.bool(0.35);
  return {
    family,
    pt,
    dpi,
    em,
    justify: rng.bool(0.5) && layoutWidth / em > 28,
    italic: rng.bool(0.1),
    indentFirst,
    paraGap: indentFirst ? rng.uniform(0, 0.4) * em : rng.uniform(0.4, 1.4) * em,
    // Extra leading in px (Pango's natural line pitch is about 1.17 em).
    spacing: rng.bool(0.4) ? undefined : em * rng.uniform(0, 0.45),
    margin: Math.min(layoutWidth * 0.08, rng.uniform(0.2, 2.5) * em),
    columns: layoutWidth / em > 55 && rng.bool(0.2) ? 2 : 1,
    ruleThickness: rng.bool(0.7) ? 1 : rng.int(2, 4),
  };
}
