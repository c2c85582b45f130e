// Benchmarks write their results between markers in a Markdown file, leaving the rest of it alone.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';

export async function writeDocSection(path: string, name: string, section: string): Promise<void> {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${section.trim()}\n${end}`;
  const text = existsSync(path) ? await readFile(path, 'utf8') : '';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  const next = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  await writeFile(path, next);
}
