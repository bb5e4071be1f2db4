/** Gather, render, deliver: one report, on demand or on schedule. */
import type { FlowStore } from '../store/store.js';
import { deliverReport, type DeliveryConfig, type DeliveryResult } from './deliver.js';
import { gatherReport } from './gather.js';
import type { Coverage } from './coverage.js';
import { renderReport } from './report-files.js';

/** `signal`: a stopping run aborts the report's webhook posts (files are written whole or not at all). */
export async function makeReport(store: FlowStore, o: { since: Date; until: Date; title?: string; deliver: DeliveryConfig[]; signal?: AbortSignal }): Promise<{ results: DeliveryResult[]; findings: number; data: Coverage['status']; alert: string | null }> {
  const data = await gatherReport(store, o.since, o.until, o.title);
  const results = await deliverReport(renderReport(data), o.deliver, o.signal ? { webhook: { signal: o.signal } } : {});
  return { results, findings: data.findings.length, data: data.coverage.status, alert: data.alert };
}
