/**
 * `flowlog config print [--config FILE] [--format yaml|json]`: the merged
 * configuration (file, environment, flags, defaults), secrets redacted;
 * `flowlog config schema`: its JSON Schema, for editors.
 */
import { FlowlogError } from '../../core/errors.js';
import { configJsonSchema } from '../../config/json-schema.js';
import { renderConfig } from '../../config/print.js';
import { explainConfig } from '../../config/resolve.js';
import { oneOf, parseCli, requireSettingFile } from '../args.js';

const USAGE = 'flowlog config print [--config FILE] [--format yaml|json] [--data-dir D] [--batch-rows N] [--log-level L] [--policy F] [--enrich F] | flowlog config schema';

export async function configCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    config: { type: 'string', short: 'c' }, format: { type: 'string', short: 'f' },
    'data-dir': { type: 'string' }, 'batch-rows': { type: 'string' }, 'log-level': { type: 'string' }, policy: { type: 'string' }, enrich: { type: 'string' },
  }, USAGE, { flags: {
    config: 'YAML configuration file (default FLOWLOG_CONFIG)', format: 'yaml (default; where each key came from as comments) or json ({ config, origins })',
    'data-dir': 'the embedded store\'s folder (store.data_dir)', 'batch-rows': 'rows per insert (batch.rows)', 'log-level': 'lowest level logged (log.level)',
    policy: 'segmentation policy file (policy.file)', enrich: 'YAML file with an enrich: section (enrich_file)',
  } });
  const [sub, ...extra] = positionals;
  if (extra.length) throw new FlowlogError('USAGE', `unexpected argument "${extra[0]}"`, `usage: ${USAGE}`);
  if (sub === 'schema') {
    process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    return 0;
  }
  if (sub !== 'print') throw new FlowlogError('USAGE', `unknown config command "${sub ?? ''}"`, `usage: ${USAGE}`);
  const format = oneOf('format', values.format, ['yaml', 'json'] as const, 'yaml');
  const { config: file, format: _f, ...flags } = values;
  requireSettingFile(file, 'config', file, 'FLOWLOG_CONFIG');
  process.stdout.write(renderConfig(explainConfig({ ...(file ? { file } : {}), env: process.env, flags }), format));
  return 0;
}
