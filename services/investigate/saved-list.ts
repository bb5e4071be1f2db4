/** `flowlog sql --list-saved`: what each saved query answers and what it takes, readable in a terminal. */
import type { SavedQuery } from './saved-queries.js';
import { describeParam } from './saved-params.js';
import { TIME_FORMS } from './time-window.js';

export function savedListText(queries: readonly SavedQuery[]): string {
  const out: string[] = [];
  for (const q of queries) {
    out.push(q.name, `  ${q.purpose}`);
    for (const p of q.params) out.push(`    --param ${describeParam(p)}${p.description ? `  ${p.description}` : ''}`);
    out.push('');
  }
  out.push(`run one: flowlog sql --saved NAME [--param name=value ...] [--format table|json|csv]`);
  out.push(`times: ${TIME_FORMS}, as in --param since=3d`);
  return `${out.join('\n')}\n`;
}

/** The same as JSON lines, for scripts. */
export const savedListJson = (queries: readonly SavedQuery[]): string =>
  queries.map((q) => JSON.stringify({ name: q.name, purpose: q.purpose, params: q.params })).join('\n') + '\n';
