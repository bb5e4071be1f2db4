/**
 * The docs against the CLI: every command and flag `--help` lists is documented, every
 * `flowlog <command>` the docs show exists, and every relative link resolves (file and heading).
 * A failure names the command, flag or link and the file to fix.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const THIS_TEST = 'services/cli/test/docs.test.ts';

/**
 * Pages other branches write, linked from here before they land. Each entry is allowed only while its
 * file is missing: once it exists, the test asks for the entry to be removed, so no allowance outlives its need.
 */
const PENDING_PAGES: string[] = [];

function docFiles(): string[] {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.md') ? [p] : [];
  });
  return [join(ROOT, 'README.md'), ...walk(join(ROOT, 'docs'))];
}
const rel = (p: string) => relative(ROOT, p);
const docs = docFiles().map((path) => ({ path, text: readFileSync(path, 'utf8') }));
const allText = docs.map((d) => d.text).join('\n');

/** Prose and code apart: headings and links live in prose, command lines in code. */
function split(text: string): { prose: string; code: string[] } {
  const code: string[] = [];
  const prose = text.replace(/^```[^\n]*\n([\s\S]*?)^```/gm, (_m, body: string) => { code.push(body); return ''; });
  for (const m of prose.matchAll(/`([^`\n]+)`/g)) code.push(m[1]!);
  return { prose, code };
}

async function captureStdout(argv: string[]): Promise<{ status: number; out: string }> {
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => { out += chunk.toString(); return true; }) as typeof process.stdout.write;
  try {
    return { status: await main(argv), out };
  } finally {
    process.stdout.write = write;
  }
}

async function commands(): Promise<string[]> {
  const { out } = await captureStdout(['--help']);
  return [...out.matchAll(/^ {2}([a-z][\w-]*) {2,}/gm)].map((m) => m[1]!);
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of split(markdown).prose.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*$/gm)) {
    const base = m[1]!.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

describe('docs', () => {
  it('keep the README a front page: under 10 KB, the rest in docs/', () => {
    const size = statSync(join(ROOT, 'README.md')).size;
    expect(size, `README.md is ${size} bytes: move detail into a docs/ page and link it`).toBeLessThan(10 * 1024);
  });

  it('document every command, subcommand and flag that --help lists', async () => {
    const names = await commands();
    expect(names.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const name of names) {
      if (!new RegExp(`flowlog(?:\\.js)? ${name}\\b`).test(allText)) missing.push(`command "flowlog ${name}": not in README.md or docs/ (add it to docs/cli.md)`);
      const { status, out } = await captureStdout([name, '--help']);
      if (status !== 0) { missing.push(`command "flowlog ${name} --help" exited ${status}`); continue; }
      const [usagePart, optionsPart = ''] = out.split(/^options:$/m);
      for (const m of usagePart!.matchAll(new RegExp(`flowlog ${name} ([a-z]+(?:\\|[a-z]+)*)(?= |$)`, 'gm'))) {
        for (const sub of m[1]!.split('|')) {
          if (!new RegExp(`\\b${name} ${sub}\\b`).test(allText)) missing.push(`subcommand "flowlog ${name} ${sub}": not in README.md or docs/ (add it to docs/cli.md)`);
        }
      }
      for (const m of optionsPart.matchAll(/--([a-z][a-z0-9-]*)/g)) {
        const flag = m[1]!;
        if (flag === 'help') continue;
        if (!new RegExp(`--${flag}(?![a-z0-9-])`).test(allText)) missing.push(`flag "flowlog ${name} --${flag}": listed by --help but not in README.md or docs/ (add it to docs/cli.md)`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('show only commands that exist', async () => {
    const names = new Set([...await commands(), 'help']); // `flowlog help COMMAND` is main.ts's own
    const unknown: string[] = [];
    for (const d of docs) {
      for (const code of split(d.text).code) {
        // flowlog X, bin/flowlog.js X, npm run flowlog -- X
        for (const m of code.matchAll(/(?<![\w.-])flowlog(?:\.js)?[ \t]+(?:--[ \t]+)?([a-z][\w-]*)/g)) {
          if (!names.has(m[1]!)) unknown.push(`${rel(d.path)}: "${m[0]}" names no command (commands: ${[...names].join(', ')})`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const d of docs) {
      for (const m of split(d.text).prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
        const [file = '', anchor] = target.split('#');
        const path = file ? resolve(dirname(d.path), file) : d.path;
        if (!existsSync(path)) {
          if (!PENDING_PAGES.includes(rel(path))) broken.push(`${rel(d.path)}: link (${target}) points to ${rel(path)}, which does not exist`);
          continue;
        }
        if (anchor && path.endsWith('.md') && !anchors(readFileSync(path, 'utf8')).has(anchor)) {
          broken.push(`${rel(d.path)}: link (${target}): ${rel(path)} has no heading #${anchor}`);
        }
      }
    }
    for (const page of PENDING_PAGES) {
      if (existsSync(join(ROOT, page))) broken.push(`${page} exists now: remove it from PENDING_PAGES in ${THIS_TEST}`);
    }
    expect(broken).toEqual([]);
  });
});
