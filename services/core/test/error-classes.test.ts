/**
 * Every error class is a FlowlogError with a stable code (what logs, metrics
 * and exit statuses key on), keeping its own name and extra fields.
 */
import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../report/deliver.js';
import { WebhookError } from '../../report/deliver-webhook.js';
import { IpamSourceError } from '../../enrich/ipam-record.js';
import { ItemProblem } from '../../enrich/inventory/read-result.js';
import { CsvSyntaxError } from '../../enrich/inventory/csv.js';
import { ERROR_CODES, FlowlogError, exitCodeFor } from '../errors.js';

describe('error classes', () => {
  it.each([
    [new DeliveryError('x', []), 'DELIVERY_FAILED', 'DeliveryError'],
    [new WebhookError('x', 400, 1), 'WEBHOOK_FAILED', 'WebhookError'],
    [new IpamSourceError('ipam.yaml', 'x'), 'IPAM_INVALID', 'IpamSourceError'],
    [new ItemProblem('x'), 'IPAM_ITEM_INVALID', 'ItemProblem'],
    [new CsvSyntaxError(3, 'x'), 'CSV_INVALID', 'CsvSyntaxError'],
  ] as const)('%s has code %s', (e, code, name) => {
    expect(e).toBeInstanceOf(FlowlogError);
    expect(e.code).toBe(code);
    expect(e.name).toBe(name);
    expect(ERROR_CODES[e.code]).toBeTruthy();
  });

  it('keeps the extra fields and says what to do', () => {
    const w = new WebhookError('refused', 404, 1);
    expect(w).toMatchObject({ status: 404, attempts: 1 });
    expect(w.hint).toContain('revoked');
    expect(new WebhookError('down', 503, 4).hint).toContain('reachable');
    expect(new CsvSyntaxError(3, 'x')).toMatchObject({ line: 3, message: 'line 3: x' });
    expect(new IpamSourceError('a.yaml', 'x')).toMatchObject({ origin: 'a.yaml', message: 'a.yaml: x' });
  });

  it('exits 2 for USAGE and 1 for every other code', () => {
    expect(exitCodeFor('USAGE')).toBe(2);
    for (const code of Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]) if (code !== 'USAGE') expect(exitCodeFor(code)).toBe(1);
  });
});
