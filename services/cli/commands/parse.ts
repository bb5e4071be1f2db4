/**
 * `flowlog parse FILE [--log-format F]`: the parser on its own. NDJSON on
 * stdout, rejects explained on stderr, and `parsed N, rejected M` last.
 */
import { readFile } from 'node:fs/promises';
import { FlowBatch } from '../../core/flow-batch.js';
import { FlowlogError } from '../../core/errors.js';
import { rowToRecord } from '../../core/record.js';
import { RejectBatch } from '../../core/rejects.js';
import { compileLogFormat } from '../../parse/aws/log-format.js';
import { openRawObjectParser, type ObjectParser } from '../../parse/object-parser.js';
import { parseCli } from '../args.js';
import { safeText } from '../../core/safe-text.js';

const USAGE = 'flowlog parse FILE [--log-format "${version} ${account-id} ..."]';

export async function parseCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, { 'log-format': { type: 'string' } }, USAGE, { flags: {
    'log-format': 'field order of headerless AWS text, as in aws ec2 create-flow-logs' } });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new FlowlogError('USAGE', 'parse takes exactly one FILE', `usage: ${USAGE}`);
  const plan = values['log-format'] !== undefined ? compileLogFormat(values['log-format']) : undefined;
  let raw: Buffer;
  try { raw = await readFile(file); } catch (e) {
    throw new FlowlogError('SOURCE_NOT_FOUND', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'check the path');
  }
  const batch = new FlowBatch(8192);
  const rejects = new RejectBatch();
  let parsed = 0, rejected = 0;
  let parser: ObjectParser;
  try { parser = await openRawObjectParser(file, raw, plan ? { logFormat: plan } : {}); } catch (e) {
    process.stderr.write(`rejected ${safeText(file)}: DECODE ${safeText((e as Error).message)}\nparsed 0, rejected 1\n`);
    return 0;
  }
  let done = false;
  while (!done) {
    done = await parser.fill(batch, rejects);
    let out = '';
    for (let r = 0; r < batch.length; r++) out += `${JSON.stringify(rowToRecord(batch, r))}\n`;
    if (out && !(await write(out))) return 0; // reader went away (| head): not an error
    for (const x of rejects.items) process.stderr.write(`rejected ${safeText(x.source)}:${x.position} ${x.reason}: ${safeText(x.detail)}\n`);
    parsed += batch.length; rejected += rejects.length;
    batch.reset(); rejects.clear();
  }
  for (const w of parser.warnings ?? []) process.stderr.write(`warning ${safeText(w)}\n`);
  process.stderr.write(`parsed ${parsed}, rejected ${rejected}\n`);
  return 0;
}

let stdoutGone = false;
let waiting: (() => void) | null = null;
const gone = () => { stdoutGone = true; waiting?.(); };
process.stdout.on('error', gone);
process.stdout.on('close', gone);

/** Writes with backpressure; false once the reader went away (EPIPE from `| head`). */
function write(s: string): Promise<boolean> {
  if (stdoutGone) return Promise.resolve(false);
  if (process.stdout.write(s)) return Promise.resolve(true);
  return new Promise((resolve) => {
    waiting = () => { waiting = null; resolve(!stdoutGone); };
    process.stdout.once('drain', () => waiting?.());
  });
}
