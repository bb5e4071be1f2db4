/**
 * A segmentation policy file (services/enrich/policy/README.md): named segments of
 * the address space, ordered rules between them, and what to do with a
 * pair no rule names. The schema normalizes as it validates (one shape for
 * "a value or a list", ports as ranges, protocols as numbers), so compiling
 * never re-checks the text.
 */
import { z } from 'zod';
import { checkCidr } from './cidr.js';
import { IPAM_ATTRIBUTES } from './enrich.js';

export const DECISIONS = ['allow', 'deny', 'alert'] as const;
export type Decision = (typeof DECISIONS)[number];
/** Names rules may use besides the defined segments. */
export const ANY = 'any';
export const UNSEGMENTED = 'unsegmented';
export const PROTOCOLS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };
/** At most this many segments: the decision matrix is (segments + 1)^2 cells. */
export const MAX_SEGMENTS = 1000;

// a leading letter also keeps YAML map order: JS objects put integer-like keys first
const NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

// strings only: an unquoted 00418 would arrive as the number 418 and silently never match
const text = z.string({ invalid_type_error: 'a string (quote numbers and booleans: "4711", "true")' }).min(1, 'a non-empty string');
const oneOrMany = z.union([text, z.array(text).min(1, 'at least one value (a list means any of them)')], {
  errorMap: (i, ctx) => (i.code === 'invalid_union' ? { message: 'a string or a list of strings (quote numbers: "4711")' } : { message: ctx.defaultError }),
}).transform((v) => (Array.isArray(v) ? v : [v]));

const MATCH_KEYS = `${IPAM_ATTRIBUTES.join(', ')} or tags.<key>`;
// keys are checked before values, so `tags: { k: v }` is told the tags.<key> form rather than "not a string"
const match = z.record(z.string(), z.unknown()).superRefine((m, ctx) => {
  if (Object.keys(m).length === 0) ctx.addIssue({ code: 'custom', message: `at least one attribute (${MATCH_KEYS}); a segment matching everything would swallow every later one` });
  for (const [k, v] of Object.entries(m)) {
    if (!(IPAM_ATTRIBUTES as readonly string[]).includes(k) && !/^tags\..+/.test(k)) {
      ctx.addIssue({ code: 'custom', path: [k], message: k === 'tags'
        ? 'tags as "tags.<key>: value" (e.g. tags.compliance: pci-dss), not a nested map'
        : `an IPAM attribute: ${MATCH_KEYS} (check the spelling)` });
      continue;
    }
    const r = oneOrMany.safeParse(v);
    if (!r.success) for (const i of r.error.issues) ctx.addIssue({ ...i, path: [k, ...i.path] } as z.IssueData);
  }
}).transform((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, oneOrMany.parse(v)])));

const cidr = z.string().superRefine((s, ctx) => {
  const p = checkCidr(s);
  if (!p.ok) ctx.addIssue({ code: 'custom', message: `a CIDR like 203.0.113.0/24 or 2001:db8::/32 (${p.error})` });
  else if (p.hostBitsSet) ctx.addIssue({ code: 'custom', message: 'a CIDR without host bits: clear the bits past the prefix length (e.g. 10.1.0.0/16, not 10.1.2.3/16)' });
});

const segment = z.object({
  match: match.optional(),
  /** The IPAM entry's is_internal must equal this (alone, or on top of match). */
  internal: z.boolean({ invalid_type_error: 'true or false (is the address the organisation\'s)' }).optional(),
  cidrs: z.array(cidr).min(1, 'at least one CIDR').optional(),
}).strict().superRefine((s, ctx) => {
  if (s.cidrs && (s.match || s.internal !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['cidrs'], message: 'either cidrs or match/internal, not both: split it into two segments (order decides between them)' });
  } else if (!s.cidrs && !s.match && s.internal === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a segment needs match: { attribute: value }, internal: true|false, or cidrs: [CIDR, ...]' });
  }
});

export type SegmentDef =
  | { name: string; kind: 'cidrs'; cidrs: string[] }
  | { name: string; kind: 'attributes'; match: Record<string, string[]>; internal: boolean | null };

const PORT = 'a port 0-65535 or a range as a string, "8000-8100"';
const port = z.union([
  z.number().int(PORT).min(0, PORT).max(65535, PORT),
  z.string().regex(/^\d{1,5}(-\d{1,5})?$/),
], { errorMap: () => ({ message: PORT }) }).superRefine((p, ctx) => {
  if (typeof p === 'number') return;
  const [lo, hi = lo] = p.split('-').map(Number) as [number, number?];
  if (hi > 65535) ctx.addIssue({ code: 'custom', message: 'ports end at 65535' });
  else if (lo > hi) ctx.addIssue({ code: 'custom', message: `the low end first: "${hi}-${lo}"` });
}).transform((p): [number, number] => {
  if (typeof p === 'number') return [p, p];
  const [lo, hi = lo] = p.split('-').map(Number) as [number, number?];
  return [lo, hi];
});

const protocol = z.union([z.enum(['tcp', 'udp', 'icmp', 'icmpv6', 'any']), z.number().int().min(0, 'a protocol number 0-255').max(255, 'a protocol number 0-255')], {
  errorMap: () => ({ message: 'tcp, udp, icmp, icmpv6, any, or an IANA protocol number 0-255' }),
}).transform((p) => (p === 'any' ? null : typeof p === 'number' ? p : PROTOCOLS[p]!));

const rule = z.object({
  name: z.string().min(1, 'a name: it is what policy_violations.rule shows').optional(),
  from: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { errorMap: () => ({ message: 'a segment name, any, unsegmented, or a list of them' }) }),
  to: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { errorMap: () => ({ message: 'a segment name, any, unsegmented, or a list of them' }) }),
  ports: z.array(port).min(1, 'at least one port; leave ports out to match every port').optional(),
  protocol: protocol.optional(),
  action: z.enum(DECISIONS, { errorMap: () => ({ message: 'allow, deny or alert' }) }),
}).strict().superRefine((r, ctx) => {
  if (r.ports && (r.protocol === 1 || r.protocol === 58)) ctx.addIssue({ code: 'custom', path: ['ports'], message: 'no ports with ICMP: drop ports, or use protocol tcp, udp or any' });
});

export interface RuleDef {
  name: string;
  from: string[];
  to: string[];
  /** Inclusive destination-port ranges; null = every port. */
  ports: [number, number][] | null;
  /** IANA number; null = any protocol. */
  protocol: number | null;
  action: Decision;
}

export const policySchema = z.object({
  /** enforce: violations alert. observe: the same decisions are recorded with observe = 1, and nothing alerts. */
  mode: z.enum(['enforce', 'observe'], { errorMap: () => ({ message: 'enforce or observe (observe records decisions without alerting)' }) }).default('enforce'),
  segments: z.record(z.string(), segment, { invalid_type_error: 'a map of segment name to { match: ... } or { cidrs: [...] }' }),
  default: z.enum(DECISIONS, { errorMap: () => ({ message: 'allow, deny or alert: the decision for pairs no rule matches' }) }).default('allow'),
  rules: z.array(rule, { invalid_type_error: 'a list of { from, to, action } rules' }).default([]),
}).strict().superRefine((p, ctx) => {
  const names = Object.keys(p.segments);
  if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['segments'], message: 'at least one segment' });
  if (names.length > MAX_SEGMENTS) ctx.addIssue({ code: 'custom', path: ['segments'], message: `at most ${MAX_SEGMENTS} segments` });
  for (const n of names) {
    if (n === ANY || n === UNSEGMENTED) ctx.addIssue({ code: 'custom', path: ['segments', n], message: `another name: "${n}" is reserved (any = every segment, unsegmented = matching none)` });
    else if (!NAME.test(n)) ctx.addIssue({ code: 'custom', path: ['segments', n], message: 'a name of letters, digits, "_", "-" or "." starting with a letter' });
  }
  const seen = new Map<string, number>();
  p.rules.forEach((r, i) => {
    const name = r.name ?? `rules[${i}]`;
    const first = seen.get(name);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `a name of its own: rules[${first}] is also "${name}" (names identify rules in policy_violations)` });
    else seen.set(name, i);
  });
}).transform((p) => ({
  mode: p.mode,
  default: p.default,
  segments: Object.entries(p.segments).map(([name, s]): SegmentDef => (s.cidrs
    ? { name, kind: 'cidrs', cidrs: s.cidrs }
    : { name, kind: 'attributes', match: s.match ?? {}, internal: s.internal ?? null })),
  rules: p.rules.map((r, i): RuleDef => ({
    name: r.name ?? `rules[${i}]`,
    from: Array.isArray(r.from) ? r.from : [r.from],
    to: Array.isArray(r.to) ? r.to : [r.to],
    ports: r.ports ?? null,
    protocol: r.protocol ?? null,
    action: r.action,
  })),
}));

/** A validated, normalized policy. */
export type Policy = z.output<typeof policySchema>;
/** The policy as written in YAML (before normalization). */
export type PolicyInput = z.input<typeof policySchema>;
