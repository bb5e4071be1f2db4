-- Enrichment columns: for each side of a flow, what the IPAM lookup of its
-- address says (services/enrich), so security filters and SREs need no join.
-- Filled at ingest; NULL where no source knows the address, and on rows stored
-- before this migration (re-enrich those in SQL with the ipam_trie dictionary:
-- see the README).
ALTER TABLE flows
    ADD COLUMN IF NOT EXISTS src_vpc            LowCardinality(Nullable(String)) COMMENT 'VPC / VNet of the source address (IPAM)',
    ADD COLUMN IF NOT EXISTS src_subnet         LowCardinality(Nullable(String)) COMMENT 'subnet of the source address (IPAM)',
    ADD COLUMN IF NOT EXISTS src_env            LowCardinality(Nullable(String)) COMMENT 'environment of the source address (IPAM)',
    ADD COLUMN IF NOT EXISTS src_segment        LowCardinality(Nullable(String)) COMMENT 'network segment of the source address (IPAM)',
    ADD COLUMN IF NOT EXISTS src_owner          LowCardinality(Nullable(String)) COMMENT 'team owning the source address (IPAM, inventory tags, ownership rules)',
    ADD COLUMN IF NOT EXISTS src_service        LowCardinality(Nullable(String)) COMMENT 'service of the source address: IPAM/inventory, else the cloud service of a provider range (S3, AzureStorage, ...)',
    ADD COLUMN IF NOT EXISTS src_class          LowCardinality(Nullable(String)) COMMENT 'address class of the source: private | cgnat | link-local | loopback | multicast | documentation | reserved | public',
    ADD COLUMN IF NOT EXISTS src_is_internal    Nullable(UInt8) COMMENT '1 when the source address belongs to the organisation (any IPAM/inventory entry or a non-public class)',
    ADD COLUMN IF NOT EXISTS dst_vpc            LowCardinality(Nullable(String)) COMMENT 'VPC / VNet of the destination address (IPAM)',
    ADD COLUMN IF NOT EXISTS dst_subnet         LowCardinality(Nullable(String)) COMMENT 'subnet of the destination address (IPAM)',
    ADD COLUMN IF NOT EXISTS dst_env            LowCardinality(Nullable(String)) COMMENT 'environment of the destination address (IPAM)',
    ADD COLUMN IF NOT EXISTS dst_segment        LowCardinality(Nullable(String)) COMMENT 'network segment of the destination address (IPAM)',
    ADD COLUMN IF NOT EXISTS dst_owner          LowCardinality(Nullable(String)) COMMENT 'team owning the destination address (IPAM, inventory tags, ownership rules)',
    ADD COLUMN IF NOT EXISTS dst_service        LowCardinality(Nullable(String)) COMMENT 'service of the destination address: IPAM/inventory, else the cloud service of a provider range (S3, AzureStorage, ...)',
    ADD COLUMN IF NOT EXISTS dst_class          LowCardinality(Nullable(String)) COMMENT 'address class of the destination: private | cgnat | link-local | loopback | multicast | documentation | reserved | public',
    ADD COLUMN IF NOT EXISTS dst_is_internal    Nullable(UInt8) COMMENT '1 when the destination address belongs to the organisation (any IPAM/inventory entry or a non-public class)',
    ADD COLUMN IF NOT EXISTS egress             Nullable(UInt8) COMMENT '1 when an internal source talks to a public destination (leaves the organisation)'
;
