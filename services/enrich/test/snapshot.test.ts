/**
 * The IPAM in use lands in ClickHouse: versioned rows in ipam_prefixes, the
 * latest in ipam_current, and the ipam_trie dictionary answers the same as
 * the hot path, for old flows or history joins in SQL.
 */
import { describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { builtinClassRecords } from '../builtin-classes.js';
import { buildModel } from '../model.js';
import { snapshotOf, writeSnapshot } from '../snapshot.js';

const model = (owner: string) => buildModel({ records: [
  ...builtinClassRecords(),
  { cidr: '10.1.0.0/16', source: 'static', origin: 'ipam.yaml', attrs: { owner, vpc: 'vpc-1' }, tags: { Team: 'x' } },
  { cidr: '10.1.2.0/24', source: 'static', origin: 'ipam.yaml', attrs: { segment: 'pci' } },
  { cidr: '2600:1f18::/32', source: 'aws', origin: 'vpcs.json', attrs: { vpc: 'vpc-6' } },
] });

describe('IPAM snapshot', () => {
  it('writes each new version once, and ipam_trie looks up the latest with inherited attributes', async () => {
    await withStore(async (store) => {
      const v1 = model('payments');
      expect(await writeSnapshot(store, snapshotOf(v1, new Date('2026-11-01T00:00:00Z')))).toBe(true);
      expect(await writeSnapshot(store, snapshotOf(v1, new Date('2026-11-01T01:00:00Z')))).toBe(false); // unchanged: nothing written
      const q = `SELECT dictGet('ipam_trie', 'owner', toIPv6('::ffff:10.1.2.3')) AS o, dictGet('ipam_trie', 'segment', toIPv4('10.1.2.3')) AS s,
        dictGet('ipam_trie', 'vpc', toIPv6('2600:1f18::9')) AS v6, dictGet('ipam_trie', 'class', toIPv4('8.8.8.8')) AS c, dictGet('ipam_trie', 'is_internal', toIPv4('10.1.9.9')) AS i`;
      expect(await store.queryRows(q)).toEqual([{ o: 'payments', s: 'pci', v6: 'vpc-6', c: 'public', i: 1 }]);
      const v2 = model('checkout');
      expect(await writeSnapshot(store, snapshotOf(v2, new Date('2026-11-02T00:00:00Z')))).toBe(true);
      expect(await store.queryRows(q)).toEqual([{ o: 'checkout', s: 'pci', v6: 'vpc-6', c: 'public', i: 1 }]);
      const versions = await store.queryRows<{ version: string; n: number }>('SELECT version, count() AS n FROM ipam_prefixes GROUP BY version, loaded_at ORDER BY loaded_at');
      expect(versions).toEqual([{ version: v1.version, n: v1.entries.length }, { version: v2.version, n: v2.entries.length }]);
      const [tags] = await store.queryRows<{ t: string; src: string[] }>("SELECT tags['Team'] AS t, sources AS src FROM ipam_current WHERE prefix = '10.1.2.0/24'");
      expect(tags).toEqual({ t: 'x', src: ['static'] });
    });
  });
});
