/** `flowlog config print`: the merged configuration as text, secrets and URL credentials redacted, with where overrides came from. */
import { stringify } from 'yaml';
import { redactConfig } from '../telemetry/redact.js';
import type { ResolvedConfig } from './resolve.js';

export function renderConfig(r: ResolvedConfig, format: 'yaml' | 'json'): string {
  const config = redactConfig(r.config);
  if (format === 'json') return `${JSON.stringify({ file: r.file ?? null, origins: r.origins, overridden: r.overridden, config }, null, 2)}\n`;
  const head = [
    `# flowlog configuration: ${r.file ? `file ${r.file}` : 'no file'}, then the environment and flags (flag > env > file > default; auto: chosen for this process)`,
    ...Object.entries(r.origins).map(([key, from]) => `#   ${key} <- ${from}${r.overridden[key] ? ' (replaces the file\'s value)' : ''}`),
  ];
  return `${head.join('\n')}\n${stringify(config, { lineWidth: 0 })}`;
}
