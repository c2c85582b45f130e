// A rate–distortion chart as a self-contained SVG (bpp on x, PSNR on y, one polyline per codec), for docs.

export interface RdSeries {
  name: string;
  color: string;
  points: { bpp: number; psnr: number }[];
}

export function rdPlotSvg(series: RdSeries[], title: string, width = 720, height = 480): string {
  const pad = { l: 60, r: 150, t: 40, b: 50 };
  const all = series.flatMap((s) => s.points);
  const xMax = Math.ceil(Math.max(...all.map((p) => p.bpp)) * 10) / 10;
  const yMin = Math.floor(Math.min(...all.map((p) => p.psnr)));
  const yMax = Math.ceil(Math.max(...all.map((p) => p.psnr)));
  const X = (v: number) => pad.l + (v / xMax) * (width - pad.l - pad.r);
  const Y = (v: number) => height - pad.b - ((v - yMin) / (yMax - yMin)) * (height - pad.t - pad.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${width / 2 - pad.r / 2}" y="22" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  const xStep = xMax > 2 ? 0.5 : xMax > 1 ? 0.25 : 0.1;
  for (let v = 0; v <= xMax + 1e-9; v += xStep) {
    out.push(`<line x1="${X(v)}" x2="${X(v)}" y1="${pad.t}" y2="${height - pad.b}" stroke="#eee"/>`);
    out.push(`<text x="${X(v)}" y="${height - pad.b + 16}" text-anchor="middle">${v.toFixed(2)}</text>`);
  }
  for (let v = yMin; v <= yMax; v += 1) {
    out.push(`<line x1="${pad.l}" x2="${width - pad.r}" y1="${Y(v)}" y2="${Y(v)}" stroke="#eee"/>`);
    out.push(`<text x="${pad.l - 6}" y="${Y(v) + 4}" text-anchor="end">${v}</text>`);
  }
  out.push(`<text x="${(pad.l + width - pad.r) / 2}" y="${height - 12}" text-anchor="middle">bits per pixel</text>`);
  out.push(`<text transform="translate(16 ${(pad.t + height - pad.b) / 2}) rotate(-90)" text-anchor="middle">PSNR-RGB (dB)</text>`);
  for (const [i, s] of series.entries()) {
    const pts = [...s.points].sort((a, b) => a.bpp - b.bpp);
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((p) => `${X(p.bpp).toFixed(1)},${Y(p.psnr).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) out.push(`<circle cx="${X(p.bpp).toFixed(1)}" cy="${Y(p.psnr).toFixed(1)}" r="3" fill="${s.color}"/>`);
    const ly = pad.t + 10 + i * 20;
    out.push(`<line x1="${width - pad.r + 12}" x2="${width - pad.r + 32}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="3"/>`);
    out.push(`<text x="${width - pad.r + 38}" y="${ly + 4}">${esc(s.name)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
