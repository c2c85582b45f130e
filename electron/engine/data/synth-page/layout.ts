// Lays out a clean page: paragraphs, headings, lists, tables, rules, form lines and addresses in one
// or two columns, rendered as ink on a white page.
import type { Rng } from '../../util/rng.js';
import { InkCanvas } from './ink-canvas.js';
import { FAMILIES, pickStyle, pickWeighted } from './page-style.js';
import { type Coverage, fontDesc, fontMetrics, renderText } from './text-render.js';
import { BULLETS, COMMON_WORDS, NO_DESCENDER_LABELS, capitalise, escapeMarkup, numberToken, pseudoWord, sentence, titleWords, word } from './words.js';

type Block = (rng: Rng, c: InkCanvas, x: number, y: number, w: number) => Promise<number>;

/** Lays out one page of text on a white background. */
export async function renderCleanPage(rng: Rng, width: number, height: number): Promise<Float32Array> {
  const ink = await renderInk(rng, width, height);
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = 1 - ink[i];
  return out;
}

export async function renderInk(rng: Rng, width: number, height: number): Promise<Float32Array> {
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
