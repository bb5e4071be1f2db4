/**
 * The bench's small-object mix, as real delivery writes it: AWS VPC flow logs
 * as one gzip object per flow log per 5 minutes (v2 and v5) in the
 * AWSLogs/... key layout, and Azure as one PT1H.json per NIC per hour under
 * resourceId=.../y=/m=/d=/h=/m=00/macAddress=.... Written by the generator
 * (the same estate `flowlog generate` and the demo use) over enough hours to
 * reach the object counts, then split into an aws/ and an azure/ folder so
 * each is one `flowlog ingest PATH`. Cached: generated once per size.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, SHARES, type GeneratedFile } from '../generate/index.js';
import { STREAM } from '../generate/plan.js';
import { rngFor } from '../generate/prng.js';
import { buildTopology } from '../generate/topology.js';

/** AWSLogs/<acct>/vpcflowlogs/<region>/YYYY/MM/DD/<acct>_vpcflowlogs_<region>_<fl-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz */
export const AWS_KEY = /^AWSLogs\/(\d{12})\/vpcflowlogs\/([a-z]{2}(?:-[a-z]+)+-\d)\/(\d{4})\/(\d{2})\/(\d{2})\/\1_vpcflowlogs_\2_fl-[0-9a-f]{17}_\3\4\5T\d{4}Z_[0-9a-f]{8}\.log\.gz$/;
/**
 * insights-logs-<category>/<resource id>/y=YYYY/m=MM/d=DD/h=HH/m=00/macAddress=<MAC>/PT1H.json: NSG flow logs under the
 * NSG's resourceId, VNet flow logs under the flow log's id (Azure has written that one with and without SUBSCRIPTIONS/).
 */
export const AZURE_KEY = new RegExp('^insights-logs-(?:' +
  'networksecuritygroupflowevent/resourceId=/SUBSCRIPTIONS/[0-9A-F-]{36}/RESOURCEGROUPS/[^/]+/PROVIDERS/MICROSOFT\\.NETWORK/NETWORKSECURITYGROUPS/[^/]+' +
  '|flowlogflowevent/flowLogResourceID=/(?:SUBSCRIPTIONS/)?[0-9A-F-]{36}[/_][^\\0]+?)' +
  '/y=\\d{4}/m=\\d{2}/d=\\d{2}/h=\\d{2}/m=00/macAddress=[0-9A-F]{12}/PT1H\\.json$');

export type KeyKind = 'aws' | 'azure';

/** Which real delivery layout a key follows, or null for neither. */
export function keyKind(key: string): KeyKind | null {
  return AWS_KEY.test(key) ? 'aws' : AZURE_KEY.test(key) ? 'azure' : null;
}

export interface MixSpec { minAwsObjects: number; minAzureBlobs: number; flowsPerAwsObject: number; seed: number }
export const DEFAULT_MIX: MixSpec = { minAwsObjects: 10_000, minAzureBlobs: 5_000, flowsPerAwsObject: 100, seed: 7 };

/**
 * Hours and flows that give at least the object counts asked for: the
 * generator writes one AWS object per flow log per 5 minutes and (at most)
 * one Azure blob per NIC per hour, and gives AWS a fixed share of the flows.
 */
export function mixPlan(spec: MixSpec, estate: { flowLogs: number; nics: number }): { hours: number; flows: number } {
  const awsPerHour = estate.flowLogs * 12;
  // a NIC idle for a whole hour writes no blob: 10% headroom on the Azure side
  const hours = Math.max(1, Math.ceil(spec.minAwsObjects / awsPerHour), Math.ceil((spec.minAzureBlobs * 1.1) / estate.nics));
  const awsShare = SHARES['aws-v2'] + SHARES['aws-v5'];
  return { hours, flows: Math.round((hours * awsPerHour * spec.flowsPerAwsObject) / awsShare) };
}

export interface SmallMix { aws: string; azure: string; awsObjects: number; azureBlobs: number; awsFlows: number; azureFlows: number; hours: number; flows: number }

const count = (files: readonly GeneratedFile[], kind: KeyKind) => {
  const mine = files.filter((f) => keyKind(f.path) === kind);
  return { objects: mine.length, flows: mine.reduce((s, f) => s + f.records, 0) };
};

export async function writeSmallMix(dir: string, spec: MixSpec = DEFAULT_MIX, log: (s: string) => void = () => {}): Promise<SmallMix> {
  const topo = buildTopology(rngFor(spec.seed, STREAM.topology));
  const { hours, flows } = mixPlan(spec, { flowLogs: topo.vpcs.length, nics: topo.vnets.reduce((s, v) => s + v.nics.length, 0) });
  const root = join(dir, `mix-${spec.seed}-${flows}-${hours}h`);
  const ready = join(root, 'ready.json');
  // the folders are where the mix is now (a moved or copied cache keeps its counts, not its old paths)
  if (existsSync(ready)) return { ...(JSON.parse(readFileSync(ready, 'utf8')) as SmallMix), aws: join(root, 'aws'), azure: join(root, 'azure') };
  log(`  generating ${flows.toLocaleString('en-US')} flows over ${hours} h (once, cached in ${root}) ...`);
  rmSync(root, { recursive: true, force: true });
  const raw = join(root, 'raw');
  const summary = await generate({ out: raw, flows, seed: spec.seed, start: new Date('2024-11-20T00:00:00Z'), hours });
  const bad = summary.files.find((f) => keyKind(f.path) === null);
  if (bad) throw new Error(`generated key outside the real delivery layouts: ${bad.path}`);
  const aws = count(summary.files, 'aws'), azure = count(summary.files, 'azure');
  if (aws.objects < spec.minAwsObjects || azure.objects < spec.minAzureBlobs) {
    throw new Error(`small mix has ${aws.objects} AWS objects and ${azure.objects} Azure blobs; wanted >= ${spec.minAwsObjects} and >= ${spec.minAzureBlobs}`);
  }
  mkdirSync(join(root, 'aws'));
  mkdirSync(join(root, 'azure'));
  for (const top of readdirSync(raw)) {
    if (top === 'AWSLogs') renameSync(join(raw, top), join(root, 'aws', top));
    else if (top.startsWith('insights-logs-')) renameSync(join(raw, top), join(root, 'azure', top));
  }
  rmSync(raw, { recursive: true, force: true }); // what is left is the generator's manifest
  const mix: SmallMix = { aws: join(root, 'aws'), azure: join(root, 'azure'), awsObjects: aws.objects, azureBlobs: azure.objects, awsFlows: aws.flows, azureFlows: azure.flows, hours, flows };
  writeFileSync(ready, JSON.stringify(mix));
  return mix;
}
