// Synthetic degraded/clean document page pairs for the `scan` model.
//
// The real paired data (Kaggle "Denoising Dirty Documents") has only a handful of page backgrounds, so the
// scan cleaner also trains on pages rendered here: text laid out with sharp/Pango (paragraphs, headings,
// lists, tables, rules) on a white page, then degraded the way scans degrade — paper texture and tint,
// fibres, coffee rings and blotches, creases, fading, uneven light and spine shadow, bleed-through,
// smudges, defocus, dust, sensor noise and JPEG. Degradations never move the text (no rotation or warp),
// so the clean page stays a pixel-aligned target.
//
// Rendering text is the slow part, so SyntheticPageSource renders a pool of pages once (init) and every
// sample() is a synchronous random crop plus a fresh degradation of that crop (JPEG included: it is an
// 8×8 DCT quantisation with the IJG tables, done here in TypeScript so sample() needs no sharp call).
import sharp from 'sharp';
import { Rng } from '../util/rng.js';

/** A grey page pair, row-major H×W, values 0..1 (1 = white paper). */
export interface PagePair {
  width: number;
  height: number;
  clean: Float32Array;
  noisy: Float32Array;
}

// ---------------------------------------------------------------------------------------------------------
// Words and sentences

const COMMON_WORDS = (
  'the of and to in a is that for it as was with be by on not he this are or his from at which but have an ' +
  'they you were her she there been one all we their has would when if so no will more can some time about ' +
  'these other into only then could its than first also after new two over such any may most where our made ' +
  'between each three under report data system method results section figure table value process image ' +
  'noise filter document page number following example general important however therefore because during ' +
  'within without through against further company market analysis account total amount date address service ' +
  'information management public development government program level order state group research problem ' +
  'question water house world people year work part place case point hand school family service local ' +
  'should must being those both very well still while last long great little own old right big high ' +
  'different small large next early young few open every sure given second above below shown used based ' +
  'several classic spatial median mean reduce remove original paper letter office meeting committee members ' +
  'agreement contract payment invoice customer product quality review annual period policy board director'
).split(' ');

const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'ch',
  'cl', 'cr', 'dr', 'fl', 'fr', 'gl', 'gr', 'pl', 'pr', 'sc', 'sh', 'sl', 'sp', 'st', 'str', 'th', 'tr', 'wh', 'qu', ''];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'i', 'o', 'ea', 'ee', 'ie', 'oo', 'ou', 'ai', 'y', 'au'];
const CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'm', 'nd', 'nt', 'st', 'ng', 'rk', 'ck', 'll', 'ss', 'x', 'ct', 'ph'];
const SUFFIXES = ['tion', 'ing', 'ed', 'ly', 'ment', 'ness', 'er', 'al', 'ive', 'ous', 'ity', 'es'];
const NO_DESCENDER_LABELS = ['Name', 'Date', 'Address', 'Total', 'Account No', 'Reference', 'Invoice', 'Room',
  'Tel', 'Fax', 'Client', 'Amount', 'Item', 'Notes', 'Title', 'Code', 'Department'];
const BULLETS = ['•', '•', '•', '–', '◦', '▪', '-', '*', '»'];

function pseudoWord(rng: Rng): string {
  const syllables = 1 + Math.floor(rng.next() * rng.next() * 4);
  let w = '';
  for (let s = 0; s < syllables; s++) w += rng.pick(ONSETS) + rng.pick(VOWELS) + (s === syllables - 1 || rng.bool(0.3) ? rng.pick(CODAS) : '');
  if (rng.bool(0.15)) w += rng.pick(SUFFIXES);
  return w;
}

function numberToken(rng: Rng): string {
  switch (rng.int(0, 10)) {
    case 0: return String(rng.int(1, 100));
    case 1: return String(rng.int(100, 10000));
    case 2: return `${rng.int(0, 1000)}.${String(rng.int(0, 100)).padStart(2, '0')}`;
    case 3: return `${rng.int(1, 100)}%`;
    case 4: return `$${rng.int(1, 99)},${String(rng.int(0, 1000)).padStart(3, '0')}.${String(rng.int(0, 100)).padStart(2, '0')}`;
    case 5: return String(rng.int(1850, 2030));
    case 6: return `${rng.int(1, 32)}/${String(rng.int(1, 13)).padStart(2, '0')}/${rng.int(1950, 2030)}`;
    case 7: return `No. ${rng.int(1, 999)}`;
    case 8: return `${rng.int(1, 13)}:${String(rng.int(0, 60)).padStart(2, '0')}`;
    default: return `${String.fromCharCode(65 + rng.int(0, 26))}${String.fromCharCode(65 + rng.int(0, 26))}-${rng.int(10, 9999)}`;
  }
}

function capitalise(w: string): string {
  return w.length === 0 ? w : w[0].toUpperCase() + w.slice(1);
}

/** A word: mostly common English, some pseudo-words, numbers and the odd proper noun. */
function word(rng: Rng): string {
  const r = rng.next();
  if (r < 0.58) return rng.pick(COMMON_WORDS);
  if (r < 0.9) return pseudoWord(rng);
  if (r < 0.96) return numberToken(rng);
  return capitalise(pseudoWord(rng));
}

function escapeMarkup(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A sentence as Pango markup, with occasional bold/italic runs, commas, brackets and quotes. */
function sentence(rng: Rng, minWords = 5, maxWords = 20, styled = true): string {
  const n = rng.int(minWords, maxWords + 1);
  const out: string[] = [];
  let i = 0;
  while (i < n) {
    let w = escapeMarkup(word(rng));
    if (i === 0) w = capitalise(w);
    if (rng.bool(0.02) && i < n - 1) w = `${w}-${escapeMarkup(rng.pick(COMMON_WORDS))}`;
    if (rng.bool(0.02)) w = `(${w})`;
    else if (rng.bool(0.015)) w = `“${w}”`;
    if (i < n - 1) {
      const p = rng.next();
      if (p < 0.08) w += ',';
      else if (p < 0.09) w += ';';
      else if (p < 0.1) w += ':';
    }
    if (styled && rng.bool(0.02)) {
      const len = rng.int(1, 4);
      const tag = rng.bool(0.5) ? 'b' : 'i';
      const run = [w];
      for (let k = 1; k < len && i + k < n; k++) run.push(escapeMarkup(word(rng)));
      i += run.length;
      out.push(`<${tag}>${run.join(' ')}</${tag}>`);
      continue;
    }
    out.push(w);
    i++;
  }
  const end = rng.next();
  return out.join(' ') + (end < 0.9 ? '.' : end < 0.96 ? '?' : '!');
}

function titleWords(rng: Rng, n: number): string {
  const ws: string[] = [];
  for (let i = 0; i < n; i++) {
    const w = rng.bool(0.5) ? rng.pick(COMMON_WORDS) : pseudoWord(rng);
    ws.push(i === 0 || w.length > 3 ? capitalise(w) : w);
  }
  return escapeMarkup(ws.join(' '));
}

// ---------------------------------------------------------------------------------------------------------
// Text rendering

interface Coverage {
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
async function renderText(markup: string, font: string, dpi: number, o: TextOpts = {}): Promise<Coverage> {
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

/** Page ink, 0..1 coverage, composited with max (text over rules never gets lighter). */
class InkCanvas {
  readonly ink: Float32Array;
  constructor(readonly w: number, readonly h: number) {
    this.ink = new Float32Array(w * h);
  }
  paste(c: Coverage, x0: number, y0: number): void {
    x0 = Math.round(x0);
    y0 = Math.round(y0);
    for (let y = Math.max(0, -y0); y < c.h && y + y0 < this.h; y++) {
      const row = (y + y0) * this.w;
      for (let x = Math.max(0, -x0); x < c.w && x + x0 < this.w; x++) {
        const v = c.data[y * c.w + x] / 255;
        if (v > this.ink[row + x + x0]) this.ink[row + x + x0] = v;
      }
    }
  }
  hline(x0: number, x1: number, y: number, thickness: number): void {
    const ya = Math.round(y);
    for (let yy = ya; yy < ya + thickness; yy++) {
      if (yy < 0 || yy >= this.h) continue;
      for (let x = Math.max(0, Math.round(x0)); x < Math.min(this.w, Math.round(x1)); x++) this.ink[yy * this.w + x] = 1;
    }
  }
  vline(x: number, y0: number, y1: number, thickness: number): void {
    const xa = Math.round(x);
    for (let y = Math.max(0, Math.round(y0)); y < Math.min(this.h, Math.round(y1)); y++) {
      for (let xx = xa; xx < xa + thickness; xx++) if (xx >= 0 && xx < this.w) this.ink[y * this.w + xx] = 1;
    }
  }
}

const FAMILIES: { name: string; weight: number }[] = [
  { name: 'DejaVu Serif', weight: 4 },
  { name: 'DejaVu Sans', weight: 4 },
  { name: 'DejaVu Serif Condensed', weight: 2 },
  { name: 'DejaVu Sans Condensed', weight: 2 },
  { name: 'DejaVu Sans Mono', weight: 1.5 },
  { name: 'DejaVu Sans Light', weight: 0.7 },
];

function pickWeighted<T extends { weight: number }>(rng: Rng, items: readonly T[]): T {
  let total = 0;
  for (const it of items) total += it.weight;
  let r = rng.next() * total;
  for (const it of items) {
    r -= it.weight;
    if (r < 0) return it;
  }
  return items[items.length - 1];
}

interface PageStyle {
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

function pickStyle(rng: Rng, layoutWidth: number): PageStyle {
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

interface FontMetrics {
  capH: number;
  xH: number;
}

async function fontMetrics(font: string, dpi: number): Promise<FontMetrics> {
  const [cap, x] = await Promise.all([renderText('H', font, dpi), renderText('x', font, dpi)]);
  return { capH: cap.h, xH: x.h };
}

function fontDesc(family: string, pt: number): string {
  return `${family} ${pt.toFixed(2)}`;
}

type Block = (rng: Rng, c: InkCanvas, x: number, y: number, w: number) => Promise<number>;

/** Lays out one page of text on a white background. */
export async function renderCleanPage(rng: Rng, width: number, height: number): Promise<Float32Array> {
  const ink = await renderInk(rng, width, height);
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = 1 - ink[i];
  return out;
}

async function renderInk(rng: Rng, width: number, height: number): Promise<Float32Array> {
  // Half the pages are laid out wider than the canvas, so lines run off the right edge as on the
  // Kaggle pages (crops of wider pages).
  const layoutWidth = rng.bool(0.5) ? width : width * rng.uniform(1.05, 1.6);
  const st = pickStyle(rng, layoutWidth);
  const canvas = new InkCanvas(width, height);
  const body = fontDesc(st.family, st.pt);
  const metrics = await fontMetrics(body, st.dpi);
  const wrapItalic = (m: string): string => (st.italic ? `<i>${m}</i>` : m);

  const paragraph: Block = async (r, c, x, y, w) => {
    const sentences: string[] = [];
    const n = r.int(1, 7);
    for (let i = 0; i < n; i++) sentences.push(sentence(r));
    const indent = st.indentFirst ? '\u2003\u2003' : '';
    const cov = await renderText(wrapItalic(indent + sentences.join(' ')), body, st.dpi, { width: w, justify: st.justify, spacing: st.spacing });
    c.paste(cov, x, y);
    return cov.h;
  };

  const heading: Block = async (r, c, x, y, w) => {
    const scale = r.uniform(1.05, 1.8);
    const bold = r.bool(0.75);
    let text = titleWords(r, r.int(1, 7));
    if (r.bool(0.3)) text = text.toUpperCase().replace(/&AMP;/g, '&amp;').replace(/&LT;/g, '&lt;').replace(/&GT;/g, '&gt;');
    if (r.bool(0.4)) text = `${r.int(1, 12)}${r.bool(0.5) ? `.${r.int(1, 10)}` : '.'} ${text}`;
    const family = r.bool(0.7) ? st.family : pickWeighted(r, FAMILIES).name;
    const cov = await renderText(bold ? `<b>${text}</b>` : text, fontDesc(family, st.pt * scale), st.dpi, { width: w });
    const centre = r.bool(0.25);
    const xx = centre ? x + Math.max(0, (w - cov.w) / 2) : x;
    c.paste(cov, xx, y);
    let h = cov.h;
    if (r.bool(0.25)) {
      const t = st.ruleThickness;
      c.hline(centre ? xx : x, centre ? xx + cov.w : r.bool(0.5) ? x + w : x + cov.w, y + h + Math.max(2, st.em * 0.2), t);
      h += Math.max(2, st.em * 0.2) + t;
    }
    return h;
  };

  const list: Block = async (r, c, x, y, w) => {
    const items = r.int(2, 7);
    const numbered = r.bool(0.35);
    const letter = r.bool(0.3);
    const bullet = r.pick(BULLETS);
    const indent = st.em * r.uniform(1.2, 2.5);
    const gap = r.uniform(0.1, 0.6) * st.em;
    const bulletCov = numbered ? null : await renderText(escapeMarkup(bullet), body, st.dpi);
    let yy = y;
    for (let i = 0; i < items && yy < c.h; i++) {
      const ss: string[] = [];
      const n = r.int(1, 3);
      for (let k = 0; k < n; k++) ss.push(sentence(r, 3, 14));
      const cov = await renderText(wrapItalic(ss.join(' ')), body, st.dpi, { width: w - indent, justify: st.justify && r.bool(0.5), spacing: st.spacing });
      c.paste(cov, x + indent, yy);
      if (numbered) {
        const label = letter ? `${String.fromCharCode(97 + i)})` : `${i + 1}.`;
        const lc = await renderText(label, body, st.dpi);
        c.paste(lc, x + indent - lc.w - st.em * 0.4, yy + (letter ? metrics.capH - metrics.xH : 0));
      } else if (bulletCov) {
        const cy = yy + metrics.capH - metrics.xH / 2;
        c.paste(bulletCov, x + indent * 0.35, cy - bulletCov.h / 2);
      }
      yy += cov.h + gap;
    }
    return yy - y - gap;
  };

  const table: Block = async (r, c, x, y, w) => {
    const rows = r.int(3, 11);
    const cols = r.int(2, 6);
    const pt = st.pt * r.uniform(0.85, 1);
    const font = fontDesc(st.family, pt);
    const spacing = st.em * r.uniform(0.25, 0.8);
    const pad = st.em * r.uniform(0.4, 1.0);
    const ref = await renderText(Array(rows).fill('H').join('\n'), font, st.dpi, { spacing });
    const capH = (await renderText('H', font, st.dpi)).h;
    const pitch = (ref.h - capH) / (rows - 1);
    const colCovs: Coverage[] = [];
    for (let j = 0; j < cols; j++) {
      const numeric = j > 0 && r.bool(0.6);
      const lines: string[] = [`<b>${escapeMarkup(capitalise(r.bool(0.5) ? r.pick(COMMON_WORDS) : pseudoWord(r)))}</b>`];
      for (let i = 1; i < rows; i++) {
        if (numeric) lines.push(escapeMarkup(r.bool(0.5) ? String(r.int(0, 10000)) : `${r.int(0, 1000)}.${String(r.int(0, 100)).padStart(2, '0')}`));
        else lines.push(escapeMarkup(j === 0 ? capitalise(word(r)) : word(r)) + (r.bool(0.3) ? ` ${escapeMarkup(word(r))}` : ''));
      }
      colCovs.push(await renderText(lines.join('\n'), font, st.dpi, { spacing, align: numeric ? 'right' : 'left' }));
    }
    const grid = r.bool(0.4);
    const t = st.ruleThickness;
    let xx = x + (grid ? pad : 0);
    const colX: number[] = [];
    for (const cov of colCovs) {
      colX.push(xx);
      xx += cov.w + 2 * pad;
    }
    const right = Math.min(x + w, xx - pad);
    const top = y + pad * 0.6;
    const rowLine = (i: number): number => top + i * pitch - (pitch - capH) / 2;
    colCovs.forEach((cov, j) => c.paste(cov, colX[j], top));
    const bottom = rowLine(rows);
    c.hline(x, right, rowLine(0), t);
    c.hline(x, right, rowLine(1), t);
    c.hline(x, right, bottom, t);
    if (grid) {
      for (let i = 2; i < rows; i++) c.hline(x, right, rowLine(i), 1);
      c.vline(x, rowLine(0), bottom + t, t);
      for (let j = 1; j < cols; j++) c.vline(colX[j] - pad, rowLine(0), bottom + t, 1);
      c.vline(right, rowLine(0), bottom + t, t);
    }
    return bottom + t - y;
  };

  const rule: Block = async (r, c, x, y, w) => {
    const t = r.bool(0.6) ? st.ruleThickness : r.int(1, 4);
    const len = r.bool(0.7) ? w : w * r.uniform(0.2, 0.6);
    c.hline(x, x + len, y, t);
    if (r.bool(0.2)) {
      c.hline(x, x + len, y + t + 2, 1);
      return t + 3;
    }
    return t;
  };

  const form: Block = async (r, c, x, y, w) => {
    const lines = r.int(1, 5);
    let yy = y;
    const lineGap = st.em * r.uniform(0.6, 1.2);
    for (let i = 0; i < lines; i++) {
      const label = `${r.pick(NO_DESCENDER_LABELS)}:`;
      const lc = await renderText(r.bool(0.4) ? `<b>${label}</b>` : label, body, st.dpi);
      c.paste(lc, x, yy);
      const x1 = r.bool(0.5) ? x + w : x + Math.min(w, lc.w + w * r.uniform(0.2, 0.6));
      c.hline(x + lc.w + st.em * 0.3, x1, yy + lc.h + 1, 1);
      yy += lc.h + lineGap;
    }
    return yy - y - lineGap;
  };

  const address: Block = async (r, c, x, y, w) => {
    const n = r.int(2, 6);
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const k = r.int(1, 5);
      const ws: string[] = [];
      for (let j = 0; j < k; j++) ws.push(escapeMarkup(r.bool(0.3) ? numberToken(r) : capitalise(word(r))));
      lines.push(ws.join(' ') + (r.bool(0.2) ? ',' : ''));
    }
    const right = r.bool(0.3);
    const cov = await renderText(wrapItalic(lines.join('\n')), body, st.dpi, { spacing: st.spacing, align: right ? 'right' : 'left' });
    c.paste(cov, right ? x + Math.max(0, w - cov.w) : x, y);
    return cov.h;
  };

  const blocks: { fn: Block; weight: number }[] = [
    { fn: paragraph, weight: 10 },
    { fn: heading, weight: 1.6 },
    { fn: list, weight: 1.4 },
    { fn: table, weight: 0.8 },
    { fn: rule, weight: 0.4 },
    { fn: form, weight: 0.4 },
    { fn: address, weight: 0.5 },
  ];

  const top = Math.max(2, rng.uniform(0.1, 1) * st.margin);
  const gutter = st.em * rng.uniform(1.2, 2.5);
  const colW = (layoutWidth - 2 * st.margin - (st.columns - 1) * gutter) / st.columns;
  let y0 = top;
  if (rng.bool(0.2)) {
    // Running header: small text and a rule across the page.
    const cov = await renderText(wrapItalic(titleWords(rng, rng.int(1, 5))), fontDesc(st.family, st.pt * 0.85), st.dpi);
    const right = rng.bool(0.5);
    canvas.paste(cov, right ? layoutWidth - st.margin - cov.w : st.margin, y0);
    y0 += cov.h + st.em * 0.35;
    canvas.hline(st.margin, layoutWidth - st.margin, y0, 1);
    y0 += st.em * rng.uniform(0.8, 1.6);
  }
  for (let col = 0; col < st.columns; col++) {
    const x = st.margin + col * (colW + gutter);
    let y = y0;
    let prev: Block | null = null;
    while (y < height) {
      let b = pickWeighted(rng, blocks).fn;
      if (b === prev && b !== paragraph) b = paragraph;
      const h = await b(rng, canvas, x, y, colW);
      const gap = b === heading ? st.em * rng.uniform(0.3, 0.8) : b === rule ? st.em * rng.uniform(0.4, 1) : st.paraGap + (b === paragraph ? 0 : st.em * 0.4);
      y += h + gap;
      if (rng.bool(0.03)) y += st.em * rng.uniform(1, 5); // some blank space
      prev = b;
    }
  }
  return canvas.ink;
}

// ---------------------------------------------------------------------------------------------------------
// Degradation fields (all on the crop, in page-scale units)

/** Approximately standard normal (sum of four uniform bytes of one draw): cheap enough for per-pixel noise. */
function fastNormal(rng: Rng): number {
  const u = (rng.next() * 4294967296) >>> 0;
  return ((u & 255) + ((u >>> 8) & 255) + ((u >>> 16) & 255) + (u >>> 24) - 510) / 147.8;
}

function smoothstep(t: number): number {
  return t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
}

/** Smooth value noise in [-1, 1] with features about `cell` px across. */
function valueNoise(rng: Rng, w: number, h: number, cell: number): Float32Array {
  const gw = Math.ceil(w / cell) + 2;
  const gh = Math.ceil(h / cell) + 2;
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next() * 2 - 1;
  const ox = rng.next() * cell;
  const oy = rng.next() * cell;
  const xi = new Int32Array(w);
  const xt = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const f = (x + ox) / cell;
    xi[x] = Math.floor(f);
    xt[x] = smoothstep(f - xi[x]);
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const f = (y + oy) / cell;
    const j = Math.floor(f);
    const ty = smoothstep(f - j);
    const r0 = j * gw;
    const r1 = r0 + gw;
    for (let x = 0; x < w; x++) {
      const i = xi[x];
      const tx = xt[x];
      const a = grid[r0 + i] + (grid[r0 + i + 1] - grid[r0 + i]) * tx;
      const b = grid[r1 + i] + (grid[r1 + i + 1] - grid[r1 + i]) * tx;
      out[y * w + x] = a + (b - a) * ty;
    }
  }
  return out;
}

/** Fractal value noise, roughly in [-1, 1]. */
function fbm(rng: Rng, w: number, h: number, cell: number, octaves: number, gain = 0.5): Float32Array {
  const out = new Float32Array(w * h);
  let amp = 1;
  let norm = 0;
  for (let o = 0; o < octaves && cell >= 1.5; o++) {
    const n = valueNoise(rng, w, h, cell);
    for (let i = 0; i < out.length; i++) out[i] += amp * n[i];
    norm += amp;
    amp *= gain;
    cell /= 2;
  }
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

const kernelCache = new Map<number, Float32Array>();

function gaussKernel(sigma: number): Float32Array {
  const key = Math.round(sigma * 100);
  let k = kernelCache.get(key);
  if (k) return k;
  const s = key / 100;
  const r = Math.max(1, Math.ceil(2.5 * s));
  k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * s * s));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  kernelCache.set(key, k);
  return k;
}

/** Separable Gaussian blur with clamped edges, in place. */
function blur(a: Float32Array, w: number, h: number, sigma: number): void {
  if (sigma < 0.15) return;
  const k = gaussKernel(sigma);
  const r = (k.length - 1) >> 1;
  const tmp = new Float32Array(a.length);
  const line = new Float32Array(Math.max(w, h) + 2 * r);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let i = 0; i < r; i++) {
      line[i] = a[row];
      line[w + r + i] = a[row + w - 1];
    }
    for (let x = 0; x < w; x++) line[x + r] = a[row + x];
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = 0; i < k.length; i++) s += k[i] * line[x + i];
      tmp[row + x] = s;
    }
  }
  for (let x = 0; x < w; x++) {
    for (let i = 0; i < r; i++) {
      line[i] = tmp[x];
      line[h + r + i] = tmp[(h - 1) * w + x];
    }
    for (let y = 0; y < h; y++) line[y + r] = tmp[y * w + x];
    for (let y = 0; y < h; y++) {
      let s = 0;
      for (let i = 0; i < k.length; i++) s += k[i] * line[y + i];
      a[y * w + x] = s;
    }
  }
}

/** Blur along a direction (smear), `len` px long, in place. */
function directionalBlur(a: Float32Array, w: number, h: number, angle: number, len: number): void {
  const steps = Math.max(2, Math.round(len));
  const ox = new Int32Array(steps);
  const oy = new Int32Array(steps);
  for (let k = 0; k < steps; k++) {
    const t = k - (steps - 1) / 2;
    ox[k] = Math.round(Math.cos(angle) * t);
    oy[k] = Math.round(Math.sin(angle) * t);
  }
  const src = a.slice();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = 0; k < steps; k++) {
        let xx = x + ox[k];
        let yy = y + oy[k];
        xx = xx < 0 ? 0 : xx >= w ? w - 1 : xx;
        yy = yy < 0 ? 0 : yy >= h ? h - 1 : yy;
        s += src[yy * w + xx];
      }
      a[y * w + x] = s / steps;
    }
  }
}

/** A point near the crop (inside it, or up to `reach` px outside). */
function nearPoint(rng: Rng, w: number, h: number, reach: number): [number, number] {
  return [rng.uniform(-reach, w + reach), rng.uniform(-reach, h + reach)];
}

/**
 * Coffee rings, water blotches and tide lines: a blob with an irregular outline (angular harmonics),
 * a smooth interior darkening and a darker drying edge. Multiplies `mul` by (1 - darkness).
 */
function addStain(rng: Rng, mul: Float32Array, w: number, h: number, scale: number, tex: Float32Array): void {
  const kind = rng.next();
  const ring = kind < 0.45;
  const R = scale * (ring ? rng.uniform(0.05, 0.2) : rng.uniform(0.02, 0.3));
  // Centre so that the outline (ring) or the body (blotch) crosses the crop.
  const px = rng.uniform(0, w);
  const py = rng.uniform(0, h);
  const th = rng.uniform(0, 2 * Math.PI);
  const d = R * (ring ? rng.uniform(0.75, 1.1) : rng.uniform(0, 1.1));
  const cx = px + d * Math.cos(th);
  const cy = py + d * Math.sin(th);
  const harm: [number, number][] = [];
  const wob = ring ? 0.05 : 0.18;
  for (let k = 1; k <= 5; k++) harm.push([(rng.normal() * wob) / k, rng.uniform(0, 2 * Math.PI)]);
  const inner = ring ? rng.uniform(0, 0.08) : rng.uniform(0.05, 0.35);
  const edge = ring ? rng.uniform(0.08, 0.35) : rng.uniform(0, 0.2);
  const edgeW = Math.max(0.8, rng.uniform(0.004, 0.02) * scale);
  const soft = Math.max(1, R * rng.uniform(0.01, 0.15));
  // Rings are often incomplete arcs (the cup was tilted).
  const arcDir = rng.uniform(0, 2 * Math.PI);
  const arcPow = ring && rng.bool(0.6) ? rng.uniform(0.5, 3) : 0;
  const texAmt = rng.uniform(0.2, 0.7);
  const wobAmp = R * rng.uniform(0.01, 0.06);
  const reach = R * (1 + 3 * wob) + 4 * edgeW + 3 * soft;
  const hc = harm.map(([amp, ph]) => amp * Math.cos(ph));
  const hs = harm.map(([amp, ph]) => amp * Math.sin(ph));
  const ax = Math.cos(arcDir);
  const ay = Math.sin(arcDir);
  const edgeReach = 4 * edgeW;
  for (let y = 0; y < h; y++) {
    const dy = y - cy;
    if (Math.abs(dy) > reach) continue;
    for (let x = 0; x < w; x++) {
      const dx = x - cx;
      const r2 = dx * dx + dy * dy;
      if (r2 > reach * reach) continue;
      const r = Math.sqrt(r2) + 1e-6;
      // cos(kθ + φ) = cos kθ cos φ − sin kθ sin φ, with cos kθ, sin kθ by complex powers of (dx + i dy)/r.
      const c1 = dx / r;
      const s1 = dy / r;
      let ck = c1;
      let sk = s1;
      let rr = 1;
      for (let k = 0; k < hc.length; k++) {
        rr += hc[k] * ck - hs[k] * sk;
        const cn = ck * c1 - sk * s1;
        sk = sk * c1 + ck * s1;
        ck = cn;
      }
      const i = y * w + x;
      const rho = r - R * rr + tex[i] * wobAmp;
      let v = rho < -soft ? inner : rho > soft ? 0 : inner * smoothstep(0.5 - rho / (2 * soft));
      v *= 1 + texAmt * tex[i];
      const de = rho + edgeW;
      if (de > -edgeReach && de < edgeReach) {
        let e = edge * Math.exp(-(de * de) / (2 * edgeW * edgeW));
        if (arcPow > 0) e *= Math.pow(0.5 + 0.5 * (c1 * ax + s1 * ay), arcPow);
        v += e;
      }
      if (v > 0) mul[i] *= 1 - Math.min(0.7, v);
    }
  }
}

/** A fold or crease: a thin dark (or bright) line with light/shadow bands on either side. */
function addCrease(rng: Rng, mul: Float32Array, w: number, h: number, scale: number, crumpled: boolean): void {
  const [px, py] = nearPoint(rng, w, h, 0);
  const ang = rng.uniform(0, Math.PI);
  const nx = -Math.sin(ang);
  const ny = Math.cos(ang);
  const line = rng.bool(0.65) ? rng.uniform(0.05, crumpled ? 0.2 : 0.3) : -rng.uniform(0.03, 0.12);
  const lw = rng.uniform(0.5, 1.6);
  const shade = rng.uniform(0, crumpled ? 0.06 : 0.1) * (rng.bool() ? 1 : -1);
  const L = rng.uniform(0.004, 0.04) * scale;
  const half = crumpled ? rng.uniform(0.03, 0.25) * scale : 1e9;
  const along = rng.uniform(-half * 0.8, half * 0.8);
  const fq = rng.uniform(0.05, 0.4);
  const ph = rng.uniform(0, 2 * Math.PI);
  const far = Math.max(4 * lw, 5 * L);
  // Shade profile by table (0.25 px steps): exp per pixel is the slow part of many creases.
  const STEP = 4;
  const lut = new Float32Array(Math.ceil(far * STEP) + 2);
  for (let i = 0; i < lut.length; i++) lut[i] = shade * Math.exp(-i / STEP / L);
  const lineReach = 4 * lw;
  for (let y = 0; y < h; y++) {
    const ddy = y - py;
    for (let x = 0; x < w; x++) {
      const ddx = x - px;
      const d = ddx * nx + ddy * ny;
      const ad = d < 0 ? -d : d;
      if (ad > far) continue;
      let endFade = 1;
      let t = 0;
      if (crumpled) {
        t = ddx * ny - ddy * nx - along;
        endFade = smoothstep((half - Math.abs(t)) / (0.3 * half));
        if (endFade <= 0) continue;
      }
      let v = lut[(ad * STEP) | 0] * (d < 0 ? -1 : 1);
      if (ad < lineReach) {
        if (!crumpled) t = ddx * ny - ddy * nx;
        v += line * Math.exp(-(d * d) / (2 * lw * lw)) * (0.75 + 0.25 * Math.sin(t * fq + ph));
      }
      mul[y * w + x] *= 1 - endFade * v;
    }
  }
}

/** Short curved paper fibres, slightly darker (or lighter) than the paper. */
function addFibres(rng: Rng, paper: Float32Array, w: number, h: number): void {
  const n = Math.round(w * h * rng.uniform(0.0003, 0.003));
  const acc = new Float32Array(w * h);
  for (let f = 0; f < n; f++) {
    let [x, y] = nearPoint(rng, w, h, 10);
    let a = rng.uniform(0, 2 * Math.PI);
    const len = rng.uniform(3, 25);
    const curl = rng.normal() * 0.15;
    const dark = rng.bool(0.8) ? rng.uniform(0.03, 0.12) : -rng.uniform(0.02, 0.06);
    for (let s = 0; s < len; s += 0.5) {
      x += 0.5 * Math.cos(a);
      y += 0.5 * Math.sin(a);
      a += curl * 0.5;
      const xi = Math.floor(x);
      const yi = Math.floor(y);
      const fx = x - xi;
      const fy = y - yi;
      const put = (xx: number, yy: number, wt: number): void => {
        if (xx >= 0 && xx < w && yy >= 0 && yy < h) acc[yy * w + xx] += wt * dark;
      };
      put(xi, yi, 0.5 * (1 - fx) * (1 - fy));
      put(xi + 1, yi, 0.5 * fx * (1 - fy));
      put(xi, yi + 1, 0.5 * (1 - fx) * fy);
      put(xi + 1, yi + 1, 0.5 * fx * fy);
    }
  }
  for (let i = 0; i < paper.length; i++) paper[i] *= 1 - Math.max(-0.08, Math.min(0.15, acc[i]));
}

/** Uneven light: exposure, a gradient across the page, vignetting and a shadow near the spine. */
function illumination(rng: Rng, w: number, h: number, scale: number): Float32Array {
  const out = new Float32Array(w * h).fill(rng.uniform(0.9, 1.04));
  if (rng.bool(0.7)) {
    const a = rng.uniform(0, 2 * Math.PI);
    const g = rng.uniform(0.05, 0.35) / scale; // change per px
    const off = rng.uniform(-0.5, 0.5) * scale;
    const cx = Math.cos(a);
    const cy = Math.sin(a);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] *= 1 - Math.max(-0.15, Math.min(0.3, g * (x * cx + y * cy + off)));
  }
  if (rng.bool(0.4)) {
    // Vignetting from a page centre somewhere around the crop.
    const [cx, cy] = nearPoint(rng, w, h, scale * 0.5);
    const v = rng.uniform(0.1, 0.4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const r2 = ((x - cx) ** 2 + (y - cy) ** 2) / (scale * scale * 0.5);
        out[y * w + x] *= 1 - v * Math.min(1, r2);
      }
    }
  }
  if (rng.bool(0.35)) {
    // Spine shadow: darkest at a (near vertical or horizontal) gutter line, fading into the page.
    const vertical = rng.bool(0.75);
    const L = rng.uniform(0.01, 0.07) * scale;
    const extent = vertical ? w : h;
    const pos = rng.uniform(-2.5 * L, extent + 2.5 * L);
    const side = rng.bool() ? 1 : -1; // the page lies on this side of the gutter line
    const s = rng.uniform(0.15, 0.55);
    const tilt = rng.normal() * 0.02;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = vertical ? x + tilt * y : y + tilt * x;
        const dist = Math.max(0, side * (p - pos));
        out[y * w + x] *= 1 - s * Math.exp(-dist / L);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// JPEG artefacts: grey baseline JPEG (8×8 DCT, IJG-scaled luminance table), decoded back to 8-bit.

const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80,
  62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98,
  112, 100, 103, 99,
];

const DCT = (() => {
  const m = new Float64Array(64);
  for (let u = 0; u < 8; u++) for (let x = 0; x < 8; x++) m[u * 8 + x] = (u === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  return m;
})();

export function jpegQuantTable(quality: number): Float64Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const s = q < 50 ? 5000 / q : 200 - 2 * q;
  const t = new Float64Array(64);
  for (let i = 0; i < 64; i++) t[i] = Math.min(255, Math.max(1, Math.floor((LUMA_Q[i] * s + 50) / 100)));
  return t;
}

/** Round-trips a 0..1 grey image through grey baseline JPEG at `quality`, in place (result 8-bit). */
export function jpegArtefacts(img: Float32Array, w: number, h: number, quality: number): void {
  const Q = jpegQuantTable(quality);
  const blk = new Float64Array(64);
  const tmp = new Float64Array(64);
  for (let by = 0; by < h; by += 8) {
    for (let bx = 0; bx < w; bx += 8) {
      for (let y = 0; y < 8; y++) {
        const yy = Math.min(h - 1, by + y);
        for (let x = 0; x < 8; x++) {
          const xx = Math.min(w - 1, bx + x);
          const v = Math.round(img[yy * w + xx] * 255);
          blk[y * 8 + x] = (v < 0 ? 0 : v > 255 ? 255 : v) - 128;
        }
      }
      // Forward DCT: rows then columns.
      for (let y = 0; y < 8; y++) {
        for (let u = 0; u < 8; u++) {
          let s = 0;
          for (let x = 0; x < 8; x++) s += DCT[u * 8 + x] * blk[y * 8 + x];
          tmp[y * 8 + u] = s;
        }
      }
      for (let u = 0; u < 8; u++) {
        for (let v = 0; v < 8; v++) {
          let s = 0;
          for (let y = 0; y < 8; y++) s += DCT[v * 8 + y] * tmp[y * 8 + u];
          const q = Q[v * 8 + u];
          blk[v * 8 + u] = Math.round(s / q) * q;
        }
      }
      // Inverse DCT.
      for (let v = 0; v < 8; v++) {
        for (let x = 0; x < 8; x++) {
          let s = 0;
          for (let u = 0; u < 8; u++) s += DCT[u * 8 + x] * blk[v * 8 + u];
          tmp[v * 8 + x] = s;
        }
      }
      for (let y = 0; y < 8 && by + y < h; y++) {
        for (let x = 0; x < 8 && bx + x < w; x++) {
          let s = 0;
          for (let v = 0; v < 8; v++) s += DCT[v * 8 + y] * tmp[v * 8 + x];
          const p = Math.round(s + 128);
          img[(by + y) * w + bx + x] = (p < 0 ? 0 : p > 255 ? 255 : p) / 255;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The degradation pipeline

interface DegradeContext {
  /** Ink of the page's back side, already mirrored and aligned with the crop (0..1 coverage), or null. */
  back: Float32Array | null;
  /** Size of the whole page in px; sizes stains, folds and light falloff. */
  scale: number;
}

function degrade(rng: Rng, clean: Float32Array, w: number, h: number, ctx: DegradeContext): Float32Array {
  const n = w * h;
  const scale = ctx.scale;
  // 1. Ink: coverage of the printed text, faded and smudged.
  const ink = new Float32Array(n);
  for (let i = 0; i < n; i++) ink[i] = 1 - clean[i];
  const inkRatio = rng.bool(0.7) ? rng.uniform(0.02, 0.2) : rng.uniform(0.2, 0.38); // ink tone / paper tone
  let fade = 0;
  if (rng.bool(0.3)) {
    // Contrast loss, uneven across the page; keep the text readable.
    fade = rng.uniform(0.15, 0.6);
    const maxFade = 1 - 0.42 / (1 - inkRatio);
    fade = Math.min(fade, Math.max(0, maxFade));
    const f = valueNoise(rng, w, h, scale * rng.uniform(0.05, 0.3));
    for (let i = 0; i < n; i++) ink[i] *= 1 - fade * (0.6 + 0.4 * f[i]);
  }
  if (rng.bool(0.1)) {
    // Ink smudges: smeared text plus a grey wash inside a soft blob.
    const smear = ink.slice();
    directionalBlur(smear, w, h, rng.uniform(0, Math.PI), rng.uniform(3, 12));
    const [cx, cy] = nearPoint(rng, w, h, 0);
    const rx = rng.uniform(0.02, 0.08) * scale;
    const ry = rx * rng.uniform(0.3, 1);
    const a = rng.uniform(0, Math.PI);
    const ca = Math.cos(a);
    const sa = Math.sin(a);
    const wash = rng.uniform(0.04, 0.25);
    const amt = rng.uniform(0.5, 1);
    const shape = valueNoise(rng, w, h, Math.max(4, rx * 0.5));
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const dx = x - cx;
        const dy = y - cy;
        const u = (dx * ca + dy * sa) / rx;
        const v = (-dx * sa + dy * ca) / ry;
        const i = y * w + x;
        const m = smoothstep(1 - Math.sqrt(u * u + v * v) + 0.3 * shape[i]);
        if (m <= 0) continue;
        ink[i] = Math.min(1, Math.max(ink[i] * (1 - 0.5 * m * amt), m * amt * 1.3 * smear[i]) + m * wash);
      }
    }
  }

  // 2. Paper: tone, low-frequency mottling, mid texture, grain, fibres, bleed-through.
  const paper = new Float32Array(n);
  const r = rng.next();
  const tone = r < 0.15 ? rng.uniform(0.95, 1) : r < 0.85 ? rng.uniform(0.82, 0.96) : rng.uniform(0.7, 0.85);
  paper.fill(tone);
  if (rng.bool(0.75)) {
    const aLow = rng.uniform(0.01, 0.08);
    const low = fbm(rng, w, h, scale * rng.uniform(0.05, 0.25), 3);
    const aMid = rng.bool(0.7) ? rng.uniform(0.005, 0.05) : 0;
    const mid = aMid > 0 ? fbm(rng, w, h, rng.uniform(4, 20), 2) : null;
    for (let i = 0; i < n; i++) paper[i] *= 1 + aLow * low[i] + (mid ? aMid * mid[i] : 0);
  }
  if (rng.bool(0.6)) {
    const grain = new Float32Array(n);
    for (let i = 0; i < n; i++) grain[i] = fastNormal(rng);
    blur(grain, w, h, rng.uniform(0.5, 1.2));
    const a = rng.uniform(0.01, 0.05);
    for (let i = 0; i < n; i++) paper[i] *= 1 + a * grain[i];
  }
  if (rng.bool(0.35)) addFibres(rng, paper, w, h);
  if (ctx.back && rng.bool(0.3)) {
    const b = ctx.back.slice();
    blur(b, w, h, rng.uniform(0.6, 2.2));
    const s = rng.uniform(0.04, 0.22);
    for (let i = 0; i < n; i++) paper[i] *= 1 - s * b[i];
  }

  // 3. Stains and creases: multiplicative fields over paper and ink alike.
  const mul = new Float32Array(n).fill(1);
  if (rng.bool(0.45)) {
    const tex = fbm(rng, w, h, rng.uniform(6, 30), 3);
    const k = 1 + Math.floor(rng.next() * rng.next() * 3);
    for (let s = 0; s < k; s++) addStain(rng, mul, w, h, scale, tex);
  }
  if (rng.bool(0.4)) {
    const crumpled = rng.bool(0.4);
    const k = crumpled ? rng.int(3, 9) : rng.int(1, 3);
    for (let s = 0; s < k; s++) addCrease(rng, mul, w, h, scale, crumpled);
  }

  // 4. Compose, then light, optics, dust, sensor, levels, JPEG.
  const img = new Float32Array(n);
  for (let i = 0; i < n; i++) img[i] = paper[i] * mul[i] * (1 - ink[i] * (1 - inkRatio));
  if (rng.bool(0.6)) {
    const light = illumination(rng, w, h, scale);
    for (let i = 0; i < n; i++) img[i] *= light[i];
  }
  if (rng.bool(0.4)) blur(img, w, h, rng.uniform(0.3, 1.0));
  if (rng.bool(0.3)) {
    // Dust and specks: small dark blobs, plus some salt-and-pepper.
    const dots = Math.round(n * rng.uniform(0.0001, 0.0015));
    for (let k = 0; k < dots; k++) {
      const cx = rng.uniform(0, w);
      const cy = rng.uniform(0, h);
      const rad = 0.5 + rng.next() * rng.next() * 2;
      const dark = rng.uniform(0.3, 0.9);
      const x0 = Math.max(0, Math.floor(cx - rad - 1));
      const x1 = Math.min(w - 1, Math.ceil(cx + rad + 1));
      const y0 = Math.max(0, Math.floor(cy - rad - 1));
      const y1 = Math.min(h - 1, Math.ceil(cy + rad + 1));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const d = Math.sqrt((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2);
          const cov = Math.min(1, Math.max(0, rad + 0.5 - d));
          img[y * w + x] *= 1 - dark * cov;
        }
      }
    }
    const sp = Math.round(n * rng.uniform(0, 0.003));
    for (let k = 0; k < sp; k++) {
      const i = rng.int(0, n);
      img[i] = rng.bool(0.75) ? rng.uniform(0, 0.35) : Math.max(img[i], rng.uniform(0.85, 1));
    }
  }
  if (rng.bool(0.65)) {
    const sigma = rng.uniform(0.003, 0.035);
    for (let i = 0; i < n; i++) img[i] += sigma * fastNormal(rng) * (0.5 + 0.5 * Math.sqrt(Math.max(0, img[i])));
  }
  if (rng.bool(0.25)) {
    // Scanner levels: black point, white point, gamma.
    const lo = rng.uniform(0, 0.08);
    const hi = rng.uniform(0.92, 1.05);
    const g = Math.exp(rng.uniform(-0.3, 0.3));
    for (let i = 0; i < n; i++) img[i] = Math.pow(Math.min(1, Math.max(0, (img[i] - lo) / (hi - lo))), g);
  }
  if (rng.bool(0.4)) {
    jpegArtefacts(img, w, h, rng.int(20, 76));
  } else {
    for (let i = 0; i < n; i++) img[i] = Math.round(Math.min(1, Math.max(0, img[i])) * 255) / 255;
  }
  return img;
}

/**
 * Degrades a clean page or crop with a random subset of scan degradations. `back` is the ink (0..1
 * coverage) of the sheet's back side, already mirrored and aligned with the crop, for bleed-through (null:
 * none); `pageScale` is the size in px of the page the crop comes from (default: the crop's larger side).
 * Random draws do not depend on the page content, so the same generator state gives the same fields.
 */
export function degradeCrop(
  rng: Rng,
  clean: Float32Array,
  width: number,
  height: number,
  opts: { back?: Float32Array | null; pageScale?: number } = {},
): Float32Array {
  if (clean.length !== width * height) throw new Error(`clean has ${clean.length} values, expected ${width}×${height}`);
  return degrade(rng, clean, width, height, { back: opts.back ?? null, scale: opts.pageScale ?? Math.max(width, height) });
}

/**
 * Degrades a whole clean page (its back side is a mirrored, shifted copy of itself). Synchronous; the
 * return type also allows a Promise so callers can await it either way.
 */
export function degradePage(rng: Rng, clean: Float32Array, width: number, height: number): Promise<Float32Array> | Float32Array {
  const back = new Float32Array(width * height);
  const dy = rng.int(0, height);
  for (let y = 0; y < height; y++) {
    const sy = (y + dy) % height;
    for (let x = 0; x < width; x++) back[y * width + x] = 1 - clean[sy * width + (width - 1 - x)];
  }
  return degrade(rng, clean, width, height, { back, scale: Math.max(width, height) });
}

/** One clean page and one degradation of it. */
export async function synthPagePair(rng: Rng, width: number, height: number): Promise<PagePair> {
  const clean = await renderCleanPage(rng, width, height);
  const noisy = await degradePage(rng, clean, width, height);
  return { width, height, clean, noisy };
}

// ---------------------------------------------------------------------------------------------------------
// The pool

/** A pool that pre-renders K clean pages (text rendering is the slow part) and makes fresh degradations from random crops of them. */
export class SyntheticPageSource {
  readonly pageCount: number;
  readonly pageWidth: number;
  readonly pageHeight: number;
  /** Ink coverage 0..255 of each page (clean = 1 - ink/255). */
  private pages: Uint8Array[] = [];

  constructor(readonly seed: number, opts: { pages?: number; pageWidth?: number; pageHeight?: number } = {}) {
    this.pageCount = opts.pages ?? 24;
    this.pageWidth = opts.pageWidth ?? 640;
    this.pageHeight = opts.pageHeight ?? 832;
    if (this.pageCount < 1) throw new Error('SyntheticPageSource needs at least one page');
  }

  get ready(): boolean {
    return this.pages.length === this.pageCount;
  }

  async init(): Promise<void> {
    if (this.ready) return;
    const rng = new Rng(this.seed);
    const rngs = Array.from({ length: this.pageCount }, (_, i) => rng.fork(i));
    const pages: Uint8Array[] = new Array(this.pageCount);
    // Two pages at a time: sharp renders on its own threads, the layout code is cheap.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.pageCount) {
        const k = next++;
        const ink = await renderInk(rngs[k], this.pageWidth, this.pageHeight);
        const u8 = new Uint8Array(ink.length);
        for (let i = 0; i < ink.length; i++) u8[i] = Math.round(ink[i] * 255);
        pages[k] = u8;
      }
    };
    await Promise.all([worker(), worker()]);
    this.pages = pages;
  }

  /** The clean page `k` (for previews and tests). */
  cleanPage(k: number): Float32Array {
    const p = this.page(k);
    const out = new Float32Array(p.length);
    for (let i = 0; i < p.length; i++) out[i] = 1 - p[i] / 255;
    return out;
  }

  private page(k: number): Uint8Array {
    if (!this.ready) throw new Error('SyntheticPageSource.init() has not finished');
    return this.pages[k];
  }

  /** A random crop of a random page and a fresh random degradation of it. Synchronous. */
  sample(rng: Rng, cropW: number, cropH: number): { clean: Float32Array; noisy: Float32Array } {
    const PW = this.pageWidth;
    const PH = this.pageHeight;
    if (cropW > PW || cropH > PH) throw new Error(`crop ${cropW}×${cropH} is larger than the ${PW}×${PH} pages`);
    const n = cropW * cropH;
    let k = 0;
    let x0 = 0;
    let y0 = 0;
    // Prefer crops with some text; blank paper is still drawn now and then.
    for (let attempt = 0; attempt < 4; attempt++) {
      k = rng.int(0, this.pageCount);
      x0 = rng.int(0, PW - cropW + 1);
      y0 = rng.int(0, PH - cropH + 1);
      const p = this.page(k);
      let s = 0;
      for (let y = 0; y < cropH; y += 2) for (let x = 0; x < cropW; x += 2) s += p[(y + y0) * PW + x + x0];
      if (s / 255 > n * 0.004 || rng.bool(0.1)) break;
    }
    const p = this.page(k);
    const clean = new Float32Array(n);
    for (let y = 0; y < cropH; y++) {
      const row = (y + y0) * PW + x0;
      for (let x = 0; x < cropW; x++) clean[y * cropW + x] = 1 - p[row + x] / 255;
    }
    // Back side: a crop of another page, mirrored left to right.
    const kb = this.pageCount > 1 ? (k + 1 + rng.int(0, this.pageCount - 1)) % this.pageCount : k;
    const pb = this.page(kb);
    const bx = rng.int(0, PW - cropW + 1);
    const by = rng.int(0, PH - cropH + 1);
    const back = new Float32Array(n);
    for (let y = 0; y < cropH; y++) {
      const row = (y + by) * PW + bx;
      for (let x = 0; x < cropW; x++) back[y * cropW + x] = pb[row + cropW - 1 - x] / 255;
    }
    const noisy = degrade(rng, clean, cropW, cropH, { back, scale: Math.max(PW, PH) });
    return { clean, noisy };
  }
}
