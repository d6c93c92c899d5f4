/**
 * The layering ARCHITECTURE.md describes, checked on the import graph of src/
 * (every relative import, type-only ones included): no import cycle, src/store/
 * imports no concept, and programs and pure logic import no edge (HTTP routes,
 * UI pages, src/http/, src/ui/).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The files of src/ each file imports, as paths relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const targets = ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map((i) => i.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => {
        const base = resolve(dirname(file), spec.replace(/\.(m?js|jsx)$/, ''));
        const found = ['.ts', '.tsx'].map((ext) => base + ext).find((p) => existsSync(p));
        return found ? relative(SRC, found) : null;
      })
      .filter((p): p is string => p !== null);
    graph.set(relative(SRC, file), [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle's files (Tarjan's strongly connected components of more than one file, or a file importing itself). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)!.includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

const isEdge = (file: string) => /^(http|ui)\//.test(file) || /(^|\/)(routes\.ts|page\.tsx)$/.test(file);
/** The entry points that wire edges to a runtime. */
const isEntryPoint = (file: string) => /^(server\.ts|cli\.ts|cli\/|edge\/)/.test(file);

const arrows = (graph: Map<string, string[]>, from: (f: string) => boolean, to: (f: string) => boolean) =>
  [...graph].flatMap(([file, targets]) => (from(file) ? targets.filter(to).map((t) => `${file} -> ${t}`) : []));

describe('architecture', () => {
  const graph = importGraph();

  it('reads the whole source tree', () => {
    expect(graph.get('store/program.ts')).toBeDefined();
    expect(graph.get('http/app.ts')).toContain('posts/routes.ts');
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('src/store/ imports nothing but itself and the schema', () => {
    expect(arrows(graph, (f) => f.startsWith('store/'), (t) => !t.startsWith('store/') && t !== 'db/schema.ts')).toEqual([]);
  });

  it('programs and pure logic import no route, page, src/http/ or src/ui/', () => {
    expect(arrows(graph, (f) => !isEdge(f) && !isEntryPoint(f), isEdge)).toEqual([]);
  });
});
