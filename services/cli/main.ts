/** `flowlog <command>`: dispatch, and one place that turns errors into advice. */
import { readFileSync } from 'node:fs';
import { exitCodeFor, FlowlogError } from '../core/errors.js';
import { redactText, registerSecretsFromEnv } from '../telemetry/redact.js';
import { HelpRequested } from './args.js';
import { safeLines, safeText } from '../core/safe-text.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { load: () => Promise<Command>; summary: string }> = {
  demo: { load: async () => (await import('./commands/demo.js')).demoCommand, summary: 'generate a demo dataset once, ingest it, show what it says (npm start)' },
  parse: { load: async () => (await import('./commands/parse.js')).parseCommand, summary: 'parse FILE [--log-format F]: one JSON record per line on stdout' },
  ingest: { load: async () => (await import('./commands/ingest.js')).ingestCommand, summary: 'ingest PATH [--log-format F]: a file or folder into the store' },
  run: { load: async () => (await import('./commands/run.js')).runCommand, summary: 'run --config FILE [--check]: the configured sources, continuously (SIGTERM drains)' },
  sql: { load: async () => (await import('./commands/sql.js')).sqlCommand, summary: 'sql "SELECT ..." [--format table|json|csv]: query the store' },
  investigate: { load: async () => (await import('./commands/investigate.js')).investigateCommand, summary: 'investigate <ip|cidr|eni-...|owner:NAME|service:NAME> [--since 2h]: everything about one target' },
  ipam: { load: async () => (await import('./commands/ipam.js')).ipamCommand, summary: 'ipam check|lookup ADDR [--enrich FILE]: validate the IPAM sources, or see what an address gets' },
  policy: { load: async () => (await import('./commands/policy.js')).policyCommand, summary: 'policy check|test POLICY.yaml [--enrich FILE]: validate and explain a segmentation policy, or run one flow through it' },
  config: { load: async () => (await import('./commands/config.js')).configCommand, summary: 'config print [--config FILE] [--format yaml|json] | config schema: the merged configuration (secrets redacted), or its JSON Schema' },
  migrate: { load: async () => (await import('./commands/migrate.js')).migrateCommand, summary: 'apply pending migrations from sql/migrations' },
  generate: { load: async () => (await import('./commands/generate.js')).generateCommand, summary: 'generate --out DIR [--flows N] [--seed S]: synthetic flow logs' },
  detect: { load: async () => (await import('./commands/detect.js')).detectCommand, summary: 'detect [--now ISO]: run the detectors once over the store (flowlog run schedules them); --from ISO --to ISO: replay their schedule over a past window' },
  report: { load: async () => (await import('./commands/report.js')).reportCommand, summary: 'report --since 24h --out DIR: the anomaly report (HTML, Markdown, JSON)' },
  eval: { load: async () => (await import('../eval/eval-command.js')).evalCommand, summary: 'measure the detectors against injected anomalies with ground truth (npm run eval)' },
  bench: { load: async () => (await import('../bench/bench.js')).benchCommand, summary: 'measure parse and ingest rates against the engine (npm run bench)' },
};

/** The command names, in the order `flowlog --help` lists them (tests walk them). */
export function commandNames(): string[] {
  return Object.keys(COMMANDS);
}

/** A command's loader, for tests that ask a command for its flags. */
export function commandLoader(name: string): () => Promise<Command> {
  const c = COMMANDS[name];
  if (!c) throw new Error(`no command ${name}`);
  return c.load;
}

export function usage(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return ['usage: flowlog <command> [options]', '       flowlog <command> --help    flowlog help <command>    flowlog --version', '',
    ...Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(w)}  ${v.summary}`),
    `  ${'completion'.padEnd(w)}  completion bash|zsh: a shell completion script (source <(flowlog completion bash))`,
    '', 'environment: FLOWLOG_DATA_DIR (embedded store folder, default ./.flowlog)', 'docs: README.md and docs/ in the source tree'].join('\n');
}

/** The version in package.json: the one `npm` installed, so no second copy to keep in step. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** `flowlog completion bash|zsh`: generated from COMMANDS and each command's flags. */
async function completion(args: string[]): Promise<number> {
  const shell = args[0];
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('usage: flowlog completion bash|zsh\n\n  bash: source <(flowlog completion bash)   zsh: source <(flowlog completion zsh)\n');
    return 0;
  }
  if (shell !== 'bash' && shell !== 'zsh') {
    process.stderr.write(`${new FlowlogError('USAGE', `completion needs a shell: bash or zsh${shell ? `, not "${safeText(shell)}"` : ''}`, 'usage: flowlog completion bash|zsh').describe()}\n`);
    return 2;
  }
  const { bashCompletion, completionCommands, zshCompletion } = await import('./completion.js');
  const cmds = await completionCommands(COMMANDS);
  process.stdout.write(shell === 'bash' ? bashCompletion(cmds) : zshCompletion(cmds));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...args] = argv;
  if (first === '--version' || first === '-V') {
    process.stdout.write(`flowlog ${version()}\n`);
    return 0;
  }
  // `flowlog help COMMAND` is `flowlog COMMAND --help`
  const [name, rest] = first === 'help' && args[0] ? [args[0], ['--help']] : [first, args];
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  if (name === 'completion') return completion(rest);
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`flowlog: unknown command "${safeText(name)}"\n\n${usage()}\n`);
    return 2;
  }
  // the environment's secrets (CLICKHOUSE_PASSWORD, S3_SECRET_KEY...) are redacted from everything printed from here on
  registerSecretsFromEnv(process.env);
  try {
    return await (await cmd.load())(rest);
  } catch (e) {
    if (e instanceof HelpRequested) {
      process.stdout.write(`flowlog ${name}: ${cmd.summary}\n\n${e.text}\n`);
      return 0;
    }
    if (e instanceof FlowlogError) {
      // messages quote what was typed and what the data held: secrets redacted, shown but never obeyed by the terminal
      process.stderr.write(`${safeLines(redactText(e.describe()))}\n`);
      return exitCodeFor(e.code);
    }
    if (e instanceof Error && 'code' in e && (e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`flowlog ${name}: ${safeText(redactText(e.message))}\n`);
      return 2;
    }
    // a bug: its stack is shown (by Node, as it ends the process), through the same redaction as any error
    if (e instanceof Error) {
      e.message = redactText(e.message);
      if (e.stack) e.stack = redactText(e.stack);
    }
    throw e;
  }
}
