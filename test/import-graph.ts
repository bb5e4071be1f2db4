/**
 * The import graph between top-level folders (services/<folder> and schemas),
 * for the layout test: the source files' import/export ... from '...'
 * specifiers, read with TypeScript's own parser so multi-line and
 * type-only imports count like any other. Dynamic import('...') is left out:
 * the CLI's command table loads commands lazily (cli -> bench, eval, generate),
 * which is the entry point reaching down, not a module dependency.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** folder -> folder it imports -> one file-level import that makes the edge (for the message). */
export type FolderGraph = Map<string, Map<string, string>>;

const isTestPath = (rel: string) => rel.endsWith('.test.ts') || rel.split(sep).includes('test');

function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'test' && e.name !== 'node_modules') out.push(...sourceFiles(root, rel)); }
    else if (e.name.endsWith('.ts') && !isTestPath(rel)) out.push(rel);
  }
  return out;
}

/** 'services/parse/aws/x.ts' -> 'services/parse'; 'schemas/flow.ts' -> 'schemas'; anything else -> null. */
export function folderOf(rel: string): string | null {
  const parts = rel.split(sep);
  if (parts[0] === 'schemas') return 'schemas';
  if (parts[0] === 'services' && parts.length > 2) return `services/${parts[1]}`;
  return null;
}

/** Every relative specifier a file imports or re-exports (static: import('...') is not read). */
export function importsOf(text: string): string[] {
  const file = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return file.statements
    .flatMap((s) => ((ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? [s.moduleSpecifier.text] : []))
    .filter((spec) => spec.startsWith('.'));
}

export function folderGraph(root: string): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const rel of [...sourceFiles(root, 'services'), ...sourceFiles(root, 'schemas')]) {
    const from = folderOf(rel)!;
    if (!graph.has(from)) graph.set(from, new Map());
    for (const spec of importsOf(readFileSync(join(root, rel), 'utf8'))) {
      const to = folderOf(relative(root, resolve(root, dirname(rel), spec)));
      if (to && to !== from && !graph.get(from)!.has(to)) graph.get(from)!.set(to, `${rel} imports '${spec}'`);
    }
  }
  return graph;
}

/** The first cycle found, as its nodes with the first repeated at the end (a -> b -> a), or null. */
export function findCycle(graph: FolderGraph): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 'open');
    path.push(node);
    for (const next of [...(graph.get(node)?.keys() ?? [])].sort()) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) { const found = visit(next); if (found) return found; }
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    if (!state.has(node)) { const found = visit(node); if (found) return found; }
  }
  return null;
}

/** A cycle spelled with the import that makes each step, for a failure message. */
export function describeCycle(graph: FolderGraph, cycle: string[]): string {
  const steps = cycle.slice(1).map((to, i) => `  ${cycle[i]} -> ${to}: ${graph.get(cycle[i]!)?.get(to) ?? '?'}`);
  return [`import cycle between folders: ${cycle.join(' -> ')}`, ...steps].join('\n');
}
