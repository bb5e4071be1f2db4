/** One evaluation estate generated, ingested and scored in a temporary folder (a smaller background than `npm run eval`, same events). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEval, type EvalResult } from '../eval-command.js';
import type { ScenarioName } from '../scenarios.js';

export async function evaluate(name: ScenarioName, flows: number, check: (r: EvalResult) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowlog-eval-'));
  try {
    check(await runEval(join(dir, 'eval'), flows, () => undefined, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What went wrong, for an assertion's message. */
export const why = (r: EvalResult): string => `false: ${r.overall.falseFindings.map((f) => f.summary).join(' | ')}; cold starts: ${r.overall.coldStartFalse.map((f) => f.summary).join(' | ')}; `
  + `wrong kind: ${r.overall.wrongKind.join(', ')}; missed: ${r.overall.missed.join(', ')}`;
