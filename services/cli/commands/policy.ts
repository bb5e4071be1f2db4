/**
 * `flowlog policy check POLICY.yaml [--enrich FILE]`: validates a
 * segmentation policy and explains it (segments, rules, the decision matrix,
 * warnings). Exit 0 clean, 1 with warnings, 2 when invalid or the IPAM
 * cannot be loaded.
 * `flowlog policy test POLICY.yaml --src ADDR --dst ADDR [--port N]
 * [--proto P] [--action ACCEPT|REJECT]`: one flow through the policy, with
 * the reasons. Exit 0 allowed, 1 flagged (deny or alert), 2 invalid.
 */
import { PROTOCOLS, type Policy } from '../../../schemas/policy.js';
import { FlowlogError } from '../../core/errors.js';
import { parseIpText } from '../../core/ip.js';
import { builtinClassRecords } from '../../enrich/builtin-classes.js';
import { loadIpam } from '../../enrich/load.js';
import { buildModel, type IpamModel } from '../../enrich/model.js';
import { loadEnrichFile } from '../../enrich/settings.js';
import { compilePolicy } from '../../enrich/policy/compile.js';
import { explainFlow } from '../../enrich/policy/explain-flow.js';
import { explainPolicy, formatExplanation, protocolText } from '../../enrich/policy/explain.js';
import { loadPolicyFile } from '../../enrich/policy/load.js';
import { oneOf, parseCli, requireSettingFile } from '../args.js';
import { resolveConfig } from '../../config/resolve.js';
import { safeLines, safeText } from '../../core/safe-text.js';

const USAGE = 'flowlog policy check POLICY.yaml [--enrich FILE] [--format table|json]\n' +
  '       flowlog policy test POLICY.yaml --src ADDR --dst ADDR [--port N] [--proto tcp|udp|icmp|N] [--action ACCEPT|REJECT] [--enrich FILE] [--format table|json]';

const OPTIONS = {
  enrich: { type: 'string' }, format: { type: 'string' }, src: { type: 'string' }, dst: { type: 'string' },
  port: { type: 'string' }, proto: { type: 'string' }, action: { type: 'string' },
} as const;

export async function policyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, OPTIONS, USAGE, { flags: {
    enrich: 'YAML file with an enrich: section (default FLOWLOG_ENRICH)', format: 'table or json', src: 'test: source address', dst: 'test: destination address',
    port: 'test: destination port', proto: 'test: tcp (default), udp, icmp or a number', action: 'test: what the network did, ACCEPT or REJECT',
  } });
  const [sub, file, ...extra] = positionals;
  if (sub !== 'check' && sub !== 'test') throw new FlowlogError('USAGE', `unknown policy command "${sub ?? ''}"`, `usage: ${USAGE}`);
  if (!file || extra.length) throw new FlowlogError('USAGE', file ? `unexpected argument "${extra[0]}"` : 'policy needs the policy file', `usage: ${USAGE}`);
  const format = oneOf('format', values.format, ['table', 'json'] as const, 'table');
  const enrich = resolveConfig({ env: process.env, flags: { enrich: values.enrich } }).enrich_file;
  requireSettingFile(enrich, 'enrich', values.enrich, 'FLOWLOG_ENRICH');
  // flags are checked before any file is read: a typo costs nothing
  const query = sub === 'test' ? flowQuery(values) : null;
  let policy: Policy;
  try { policy = loadPolicyFile(file); } catch (e) {
    if (!(e instanceof FlowlogError)) throw e;
    process.stderr.write(`${safeLines(e.describe())}\n`);
    return 2;
  }
  let model: IpamModel;
  try {
    model = enrich ? await loadIpam(loadEnrichFile(enrich).settings) : buildModel({ records: builtinClassRecords() });
  } catch (e) {
    process.stderr.write(e instanceof FlowlogError && e.code !== 'IPAM_INVALID' ? `${safeLines(e.describe())}\n` : `error IPAM_INVALID: ${safeLines((e as Error).message)}\n  hint: fix or remove that source (flowlog ipam check --enrich ${enrich})\n`);
    return 2;
  }
  const compiled = compilePolicy(policy, model);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  if (!query) {
    const e = explainPolicy(compiled, model);
    // without an IPAM, attribute segments match only the built-in classes: saying they match nothing would be noise
    if (!enrich) e.warnings = e.warnings.filter((w) => !(w.kind === 'empty-segment' && compiled.segments.find((s) => s.name === w.segment)?.kind === 'attributes'));
    out(format === 'json' ? JSON.stringify(e) : formatExplanation(e, file, Boolean(enrich)));
    return e.warnings.length ? 1 : 0;
  }
  const x = explainFlow(compiled, model, query);
  const recorded = query.action ? { [query.action]: x.recorded[query.action] } : x.recorded;
  if (format === 'json') out(JSON.stringify({ ...x, recorded }));
  else {
    out(`flow: ${values.src} -> ${values.dst} ${protocolText(query.protocol)}${query.port !== null ? `/${query.port}` : ' (no port)'}`);
    // segment names and reasons quote IPAM values: shown, never obeyed by the terminal
    out(`src ${values.src}: ${safeText(x.src.segment)}  (${safeText(x.src.why)})`);
    out(`dst ${values.dst}: ${safeText(x.dst.segment)}  (${safeText(x.dst.why)})`);
    out(`decision: ${x.decision}  (${safeText(x.rule_text)})`);
    for (const [action, kind] of Object.entries(recorded)) {
      out(kind ? `${action}ed: recorded as ${kind === 'attempt' ? 'an' : 'a'} ${kind}${x.observe ? ' (observe mode: observe=1, no alert)' : ''}` : `${action}ed: allowed, nothing recorded`);
    }
  }
  return x.decision === 'allow' ? 0 : 1;
}

function flowQuery(v: { src?: string; dst?: string; port?: string; proto?: string; action?: string }) {
  const addr = (flag: 'src' | 'dst') => {
    const text = v[flag];
    if (!text) throw new FlowlogError('USAGE', `policy test needs --${flag} ADDR`, `usage: ${USAGE}`);
    const ip = parseIpText(text);
    if (!ip) throw new FlowlogError('USAGE', `--${flag} "${text}" is not an IP address`, 'pass addresses like 10.1.2.3 or 2600:1f18::1');
    return ip;
  };
  let port: number | null = null;
  if (v.port !== undefined) {
    port = /^\d{1,5}$/.test(v.port) ? Number(v.port) : NaN;
    if (!(port >= 0 && port <= 65535)) throw new FlowlogError('USAGE', `--port "${v.port}" is not a port`, 'pass a destination port 0-65535');
  }
  // a flow always has a protocol; tcp unless told, as most policy questions are about tcp services
  const p = (v.proto ?? 'tcp').toLowerCase();
  const protocol = PROTOCOLS[p] ?? (/^\d{1,3}$/.test(p) && Number(p) <= 255 ? Number(p) : NaN);
  if (Number.isNaN(protocol)) throw new FlowlogError('USAGE', `--proto "${v.proto}" is not a protocol`, 'pass tcp, udp, icmp, icmpv6 or a number 0-255');
  const action = v.action === undefined ? null : oneOf('action', v.action.toUpperCase(), ['ACCEPT', 'REJECT'] as const, 'ACCEPT');
  return { src: addr('src'), dst: addr('dst'), port, protocol, action };
}
