// Integer CDF tables of the hyper-latents z: one discretised logistic per channel, from the model's
// `z.loc` and `z.logscale`. Built at load time with the deterministic elementary functions of
// entropy/det-math.ts (no Math.exp), from float16 weights widened exactly, so every machine builds the
// same integers; a test pins their hash for the shipped model.
import { CdfTableSet } from '../entropy/cdf.js';
import { detExp } from '../entropy/det-math.js';
import { factorizedTable } from '../entropy/factorized.js';

/** Half-width of a table in units of the logistic scale: beyond ±24 s the mass is < 1e-10. */
const SPAN_IN_SCALES = 24;
const MAX_HALF_WIDTH = 255;

/** Logistic CDF at t, deterministic. */
function logisticCdf(t: number, loc: number, scale: number): number {
  return 1 / (1 + detExp(-(t - loc) / scale));
}

/** The scale the training loss uses for a channel: exp(logscale) + 0.05 (hyperprior.ts `zScale`). */
export function zChannelScale(logScale: number): number {
  return detExp(logScale) + 0.05;
}

export function zPriorTables(loc: Float32Array, logScale: Float32Array): CdfTableSet {
  const tables = [];
  for (let c = 0; c < loc.length; c++) {
    const l = loc[c];
    const s = zChannelScale(logScale[c]);
    const centre = Math.round(l);
    const half = Math.min(MAX_HALF_WIDTH, Math.max(2, Math.ceil(SPAN_IN_SCALES * s)));
    const offset = centre - half;
    const pmf = new Float64Array(2 * half + 1);
    for (let i = 0; i < pmf.length; i++) {
      const k = offset + i;
      pmf[i] = logisticCdf(k + 0.5, l, s) - logisticCdf(k - 0.5, l, s);
    }
    const tail = logisticCdf(offset - 0.5, l, s) + (1 - logisticCdf(offset + pmf.length - 0.5, l, s));
    tables.push(factorizedTable(pmf, offset, tail));
  }
  return CdfTableSet.fromTables(tables);
}
