/** Writes one `## Section` of BENCHMARKS.md (or of another Markdown file), leaving the other sections as they are. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export const BENCHMARKS_MD = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}

export function writeSection(title: string, body: string): void {
  writeMarkdownSection(BENCHMARKS_MD, title, body, '# Benchmarks\n\nFigures measured on the machine named in each section; re-run with `npm run bench`.\n');
}

/** Replaces (or appends) the `## title` section of a Markdown file, leaving the other sections as they are. */
export function writeMarkdownSection(file: string, title: string, body: string, empty = ''): void {
  const header = `## ${title}`;
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : empty;
  const section = `${header}\n\n${body.trim()}\n`;
  const start = doc.indexOf(`${header}\n`);
  if (start >= 0) {
    const next = doc.indexOf('\n## ', start + header.length);
    doc = doc.slice(0, start) + section + (next >= 0 ? doc.slice(next) : '');
  } else {
    doc = `${doc.trimEnd()}\n\n${section}`;
  }
  writeFileSync(file, doc);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
