/**
 * From configuration to EnrichSettings: the `enrich:` section of a flowlog
 * config (or of a file holding only that section, like the demo's
 * enrich.yaml), with file paths resolved against the config's folder and the
 * NetBox token read from its secret.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { enrichSchema, type EnrichConfig } from '../../schemas/enrich.js';
import { durationMs } from '../../schemas/common.js';
import { parseYamlWith, readSecret } from '../config/load-config.js';
import { FlowlogError } from '../core/errors.js';
import type { EnrichSettings } from './load.js';

export interface EnrichPlan { settings: EnrichSettings; reloadIntervalMs: number; netboxIntervalMs: number }

export function enrichPlan(cfg: EnrichConfig, baseDir: string): EnrichPlan {
  const abs = (f: string) => (isAbsolute(f) ? f : resolve(baseDir, f));
  return {
    settings: {
      files: cfg.files.map(abs),
      ...(cfg.netbox ? { netbox: { url: cfg.netbox.url, token: readSecret(cfg.netbox.token, 'enrich.netbox.token') } } : {}),
      ...(cfg.tag_keys ? { tagKeys: cfg.tag_keys } : {}),
      rules: cfg.ownership,
      ...(cfg.owners ? { owners: cfg.owners } : {}),
    },
    reloadIntervalMs: durationMs(cfg.reload_interval),
    netboxIntervalMs: cfg.netbox ? durationMs(cfg.netbox.interval) : 0,
  };
}

/** A YAML file with an `enrich:` section (other keys, e.g. a whole flowlog.yaml, are ignored). */
export function loadEnrichFile(file: string): EnrichPlan {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new FlowlogError('CONFIG_INVALID', `cannot read ${file} (${(e as NodeJS.ErrnoException).code})`, 'pass a YAML file with an enrich: section (see docs/enrichment.md)');
  }
  const doc = parseYamlWith(z.object({ enrich: enrichSchema }).passthrough(), text, file);
  return enrichPlan(doc.enrich, dirname(resolve(file)));
}

/** Adds a segmentation policy file to the plan; a policy without IPAM sources still has the built-in classes and its CIDR segments. */
export function withPolicy(plan: EnrichPlan | null, policyFile: string | undefined): EnrichPlan | null {
  if (!policyFile) return plan;
  const base = plan ?? { settings: { files: [], rules: [] }, reloadIntervalMs: 30_000, netboxIntervalMs: 0 };
  return { ...base, settings: { ...base.settings, policyFile } };
}
