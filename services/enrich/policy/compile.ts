/**
 * A validated policy + one IPAM model -> the flat arrays evaluateBatch reads.
 * Entry ids are those of this model's prefix table: compile again for every
 * IPAM version (ipamVersion says which one a compiled policy belongs to) and
 * pass evaluateBatch ids from that same version.
 */
import { UNSEGMENTED, type Policy, type RuleDef, type SegmentDef } from '../../../schemas/policy.js';
import type { IpamModel } from '../model.js';
import { compileMatrix, type DecisionMatrix } from './matrix.js';
import { compileCidrSegments, entrySegments, type CidrSegments } from './segments.js';
import { policyWarnings, type PolicyWarning } from './warnings.js';

export interface CompiledPolicy {
  readonly mode: Policy['mode'];
  /** Segment id -> name, in file order; the last id is "unsegmented". */
  readonly segmentNames: readonly string[];
  readonly unsegmented: number;
  readonly segments: readonly SegmentDef[];
  readonly rules: readonly RuleDef[];
  readonly defaultDecision: Policy['default'];
  /** entrySegment[entryId + 1] = segment of an IPAM entry by attributes; [0] = unsegmented. */
  readonly entrySegment: Int32Array;
  readonly cidr: CidrSegments;
  readonly matrix: DecisionMatrix;
  readonly warnings: readonly PolicyWarning[];
  readonly ipamVersion: string;
}

export function compilePolicy(policy: Policy, model: IpamModel): CompiledPolicy {
  const compiled = compileWithSegments(policy, entrySegments(policy.segments, model, policy.segments.length), model.version);
  compiled.warnings.push(...policyWarnings(compiled, model));
  return compiled;
}

/**
 * The policy around entry segments computed elsewhere (the IPAM reload worker,
 * where the model is): CIDR segments and the matrix need no model. No warnings:
 * those need the model too (`flowlog policy check`).
 */
export function compileWithSegments(policy: Policy, entrySegment: Int32Array, ipamVersion: string): CompiledPolicy & { warnings: PolicyWarning[] } {
  const unsegmented = policy.segments.length;
  return {
    mode: policy.mode,
    segmentNames: [...policy.segments.map((s) => s.name), UNSEGMENTED],
    unsegmented,
    segments: policy.segments,
    rules: policy.rules,
    defaultDecision: policy.default,
    entrySegment,
    cidr: compileCidrSegments(policy.segments, unsegmented),
    matrix: compileMatrix(policy.segments.map((s) => s.name), policy.rules, policy.default),
    warnings: [],
    ipamVersion,
  };
}
