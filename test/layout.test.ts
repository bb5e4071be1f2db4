/**
 * The layout's two promises: schemas/ imports nothing from services/, and no
 * two top-level folders (services/<folder>, schemas) import each other, even
 * through others. Test files and test/ folders are not part of the layout.
 */
import { describe, expect, it } from 'vitest';
import { describeCycle, findCycle, folderGraph, folderOf, importsOf, type FolderGraph } from './import-graph.js';
import { REPO_ROOT } from './paths.js';

const graphOf = (edges: Record<string, string[]>): FolderGraph =>
  new Map(Object.entries(edges).map(([from, tos]) => [from, new Map(tos.map((to) => [to, `${from}/x.ts imports '${to}'`]))]));

describe('layout of the source tree', () => {
  const graph = folderGraph(REPO_ROOT);

  it('sees the folders and their imports', () => {
    // a graph read wrong (no files, no edges) would pass the checks below vacuously
    expect(graph.has('schemas')).toBe(true);
    expect(graph.get('services/parse')?.has('schemas')).toBe(true);
    expect(graph.size).toBeGreaterThan(10);
  });

  it('schemas/ imports nothing from services/', () => {
    expect([...(graph.get('schemas')?.values() ?? [])]).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    const cycle = findCycle(graph);
    expect(cycle && describeCycle(graph, cycle)).toBeNull();
  });
});

describe('the layout checker', () => {
  it('finds a cycle through several folders and names it', () => {
    const g = graphOf({ 'services/a': ['services/b'], 'services/b': ['services/c', 'schemas'], 'services/c': ['services/a'], schemas: [] });
    const cycle = findCycle(g);
    expect(cycle).toEqual(['services/a', 'services/b', 'services/c', 'services/a']);
    expect(describeCycle(g, cycle!)).toContain('services/c -> services/a: services/c/x.ts imports');
  });

  it('finds a two-folder cycle reached from an acyclic start, and none in a diamond', () => {
    expect(findCycle(graphOf({ a: ['b'], b: ['c'], c: ['b'] }))).toEqual(['b', 'c', 'b']);
    expect(findCycle(graphOf({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }))).toBeNull();
  });

  it('reads static, re-export, type-only and multi-line imports, not dynamic ones', () => {
    const text = [
      "import { a } from './a.js';", "import type { B } from '../b.js';", "export * from './c.js';",
      "import {\n  d,\n  e,\n} from '../../d.js';", "const f = await import('./f.js');", "import 'node:fs';", "import { z } from 'zod';",
    ].join('\n');
    expect(importsOf(text).sort()).toEqual(['../../d.js', '../b.js', './a.js', './c.js']);
  });

  it('names folders by their top level', () => {
    expect(folderOf('services/parse/aws/x.ts')).toBe('services/parse');
    expect(folderOf('schemas/flow.ts')).toBe('schemas');
    expect(folderOf('infra/servers.ts')).toBeNull();
  });
});
