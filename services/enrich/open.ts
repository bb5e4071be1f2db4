/**
 * The enrichment a command uses: the configured sources (loaded in a worker,
 * reloaded while running when asked), or, with none configured, the built-in
 * address classes alone, so every flow still gets class, is_internal and egress.
 */
import type { BatchEnricher } from '../commit/committer.js';
import type { FlowStore } from '../store/store.js';
import { builtinClassRecords } from './builtin-classes.js';
import { Enricher } from './enricher.js';
import { LiveEnricher, type ReloadOutcome } from './live.js';
import { buildModel } from './model.js';
import type { EnrichPlan } from './settings.js';

export interface OpenedEnricher extends BatchEnricher { readonly version: string | null; reloadNow?: () => Promise<ReloadOutcome>; stop(): void }

let builtin: Enricher | null = null;

export function builtinEnricher(): Enricher {
  builtin ??= Enricher.fromModel(buildModel({ records: builtinClassRecords() }));
  return builtin;
}

export async function openEnricher(plan: EnrichPlan | null, opts: { store?: FlowStore; watch?: boolean; onReload?: (o: ReloadOutcome) => void } = {}): Promise<OpenedEnricher> {
  if (!plan) {
    const e = builtinEnricher();
    return { version: e.version, apply: (b) => e.apply(b), stop: () => undefined };
  }
  const live = await LiveEnricher.start(plan.settings, {
    ...(opts.store ? { store: opts.store } : {}),
    ...(opts.onReload ? { onReload: opts.onReload } : {}),
    ...(opts.watch ? { reloadIntervalMs: plan.reloadIntervalMs, netboxIntervalMs: plan.netboxIntervalMs } : {}),
  });
  return live;
}
