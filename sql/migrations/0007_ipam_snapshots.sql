-- The IPAM in use, written by flowlog each time it loads a new version
-- (services/enrich/snapshot.ts), so analysts can re-enrich old flows or join on
-- history in SQL. Every version is kept; `ipam_current` is the latest load and
-- the `ipam_trie` dictionary looks addresses up in it by longest prefix:
--   SELECT dictGet('ipam_trie', 'owner', src_addr) FROM flows ...
-- (an IPv4 address works as is, IPv4-mapped IPv6 too).
CREATE TABLE IF NOT EXISTS ipam_prefixes
(
    version     String COMMENT 'content hash of the resolved IPAM: equal inputs, equal version',
    loaded_at   DateTime64(3, 'UTC') COMMENT 'when flowlog loaded this version',
    prefix      String COMMENT 'canonical CIDR',
    sources     Array(LowCardinality(String)) COMMENT 'IPAM sources listing this exact prefix (static, netbox, aws, azure, provider, builtin)',
    origins     Array(String) COMMENT 'files / URLs / items it was read from',
    name        String, vpc String, subnet String, env String, segment String, region String,
    owner       String, service String, cost_center String, criticality String,
    account     String, eni String, instance String, site String, tenant String, role String, vrf String,
    class       LowCardinality(String) COMMENT 'private | cgnat | link-local | loopback | multicast | documentation | reserved | public',
    is_internal UInt8,
    tags        Map(String, String)
)
ENGINE = MergeTree
ORDER BY (loaded_at, prefix)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE VIEW IF NOT EXISTS ipam_current AS
SELECT * EXCEPT (loaded_at) FROM ipam_prefixes WHERE loaded_at = (SELECT max(loaded_at) FROM ipam_prefixes);

-- Attributes already resolved (inherited, ownership rules applied): one lookup answers.
-- On a server, the CLICKHOUSE source reads as the dictionary's owner; grant it SELECT on ipam_current.
CREATE DICTIONARY IF NOT EXISTS ipam_trie
(
    prefix String,
    name String, vpc String, subnet String, env String, segment String, region String,
    owner String, service String, cost_center String, criticality String, account String,
    class String, is_internal UInt8
)
PRIMARY KEY prefix
SOURCE(CLICKHOUSE(TABLE 'ipam_current'))
LAYOUT(IP_TRIE)
LIFETIME(MIN 60 MAX 120);
