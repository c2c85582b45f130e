// Random text for the synthetic pages: English and pseudo-English words, numbers, sentences as Pango
// markup (with the odd bold or italic run), titles and form labels.
import type { Rng } from '../../util/rng.js';

export const COMMON_WORDS = (
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
export const NO_DESCENDER_LABELS = ['Name', 'Date', 'Address', 'Total', 'Account No', 'Reference', 'Invoice', 'Room',
  'Tel', 'Fax', 'Client', 'Amount', 'Item', 'Notes', 'Title', 'Code', 'Department'];
export const BULLETS = ['•', '•', '•', '–', '◦', '▪', '-', '*', '»'];

export function pseudoWord(rng: Rng): string {
  const syllables = 1 + Math.floor(rng.next() * rng.next() * 4);
  let w = '';
  for (let s = 0; s < syllables; s++) w += rng.pick(ONSETS) + rng.pick(VOWELS) + (s === syllables - 1 || rng.bool(0.3) ? rng.pick(CODAS) : '');
  if (rng.bool(0.15)) w += rng.pick(SUFFIXES);
  return w;
}

export function numberToken(rng: Rng): string {
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

export function capitalise(w: string): string {
  return w.length === 0 ? w : w[0].toUpperCase() + w.slice(1);
}

/** A word: mostly common English, some pseudo-words, numbers and the odd proper noun. */
export function word(rng: Rng): string {
  const r = rng.next();
  if (r < 0.58) return rng.pick(COMMON_WORDS);
  if (r < 0.9) return pseudoWord(rng);
  if (r < 0.96) return numberToken(rng);
  return capitalise(pseudoWord(rng));
}

export function escapeMarkup(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A sentence as Pango markup, with occasional bold/italic runs, commas, brackets and quotes. */
export function sentence(rng: Rng, minWords = 5, maxWords = 20, styled = true): string {
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

export function titleWords(rng: Rng, n: number): string {
  const ws: string[] = [];
  for (let i = 0; i < n; i++) {
    const w = rng.bool(0.5) ? rng.pick(COMMON_WORDS) : pseudoWord(rng);
    ws.push(i === 0 || w.length > 3 ? capitalise(w) : w);
  }
  return escapeMarkup(ws.join(' '));
}
