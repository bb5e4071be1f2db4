/** A policy file from disk, validated: every problem named with its key, as the config loader does. */
import { readFileSync } from 'node:fs';
import { policySchema, type Policy } from '../../../schemas/policy.js';
import { parseYamlWith } from '../../config/load-config.js';
import { FlowlogError } from '../../core/errors.js';

export function parsePolicy(text: string, file = 'policy'): Policy {
  try { return parseYamlWith(policySchema, text, file); } catch (e) {
    // the shared loader's hint is about secrets, which a policy has none of
    if (e instanceof FlowlogError) throw new FlowlogError(e.code, e.message, 'fix the keys above (the policy format: services/policy/README.md)');
    throw e;
  }
}

export function loadPolicyFile(file: string): Policy {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new FlowlogError('CONFIG_INVALID', `cannot read ${file} (${(e as NodeJS.ErrnoException).code})`, 'pass the path of a policy YAML file (see services/policy/README.md)');
  }
  return parsePolicy(text, file);
}
