/**
 * What /healthz says about each supervised part of `flowlog run` besides the
 * sources (which keep their own SourceHealth): the IPAM reload, the detector
 * runs, each report. A part is `ok` after its last run worked, `failed` with
 * the error's code and message after it failed, until it works again.
 */
import { errorFields } from '../telemetry/log.js';

export interface PartHealth {
  state: 'ok' | 'failed';
  /** The last error, while unresolved. */
  error?: { code: string; message: string; at: string };
  /** When it last worked. */
  last_ok?: string;
}

export class HealthBoard {
  private readonly parts = new Map<string, PartHealth>();

  ok(part: string): void {
    this.parts.set(part, { state: 'ok', last_ok: new Date().toISOString() });
  }

  failed(part: string, e: unknown): void {
    const f = errorFields(e);
    const prev = this.parts.get(part);
    this.parts.set(part, { state: 'failed', error: { code: String(f.code), message: String(f.error), at: new Date().toISOString() }, ...(prev?.last_ok ? { last_ok: prev.last_ok } : {}) });
  }

  get(part: string): PartHealth | undefined { return this.parts.get(part); }
}

/** What a supervised job reports to: the board (for /healthz) under its part name. */
export interface HealthReporter { ok(): void; failed(e: unknown): void }

export const reporter = (board: HealthBoard, part: string): HealthReporter => ({ ok: () => board.ok(part), failed: (e) => board.failed(part, e) });
