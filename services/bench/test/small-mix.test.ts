import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../generate/index.js';
import { AWS_KEY, AZURE_KEY, DEFAULT_MIX, keyKind, mixPlan } from '../small-mix.js';

const AWS = 'AWSLogs/557233995524/vpcflowlogs/eu-west-1/2024/11/24/557233995524_vpcflowlogs_eu-west-1_fl-0c6f313837bcb83ab_20241124T0010Z_423f7c1f.log.gz';
const NSG = 'insights-logs-networksecuritygroupflowevent/resourceId=/SUBSCRIPTIONS/1D5D74B1-43B2-416E-A3E9-05CCC0937119/RESOURCEGROUPS/RG-DEV-WEU/'
  + 'PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG-DEV-WEU-DATA/y=2024/m=11/d=24/h=02/m=00/macAddress=7C1E52F1F66B/PT1H.json';
const VNET = 'insights-logs-flowlogflowevent/flowLogResourceID=/C94189AF-077D-46F2-8BFA-8636E1141A93/NETWORKWATCHERRG/NETWORKWATCHER_EASTUS/'
  + 'FLOWLOGS/VNET-PROD-EUS-FLOWLOG/y=2024/m=11/d=24/h=02/m=00/macAddress=6045BDBB3115/PT1H.json';

describe('key layouts', () => {
  it('knows the real AWS and Azure delivery keys', () => {
    expect(keyKind(AWS)).toBe('aws');
    expect(keyKind(NSG)).toBe('azure');
    expect(keyKind(VNET)).toBe('azure');
    expect(keyKind(VNET.replace('flowLogResourceID=/', 'flowLogResourceID=/SUBSCRIPTIONS/'))).toBe('azure');
  });

  it('refuses keys that only look like them', () => {
    expect(keyKind(AWS.replace('/557233995524_', '/111122223333_'))).toBeNull(); // the file name repeats the account
    expect(keyKind(AWS.replace('_eu-west-1_fl', '_us-east-1_fl'))).toBeNull(); // and the region
    expect(keyKind(AWS.replace('20241124T0010Z', '20241125T0010Z'))).toBeNull(); // and the date of the folder
    expect(keyKind(AWS.replace('_423f7c1f.log.gz', '.log.gz'))).toBeNull();
    expect(keyKind(AWS.replace('.log.gz', '.log'))).toBeNull();
    expect(keyKind(NSG.replace('/m=00/', '/m=05/'))).toBeNull(); // one blob per hour
    expect(keyKind(NSG.replace('PT1H.json', 'PT5M.json'))).toBeNull();
    expect(keyKind(NSG.replace('macAddress=7C1E52F1F66B', 'macAddress=7c:1e:52'))).toBeNull();
    expect(keyKind('part-000.log.gz')).toBeNull();
    expect(AWS_KEY.test(NSG) || AZURE_KEY.test(AWS)).toBe(false);
  });

  const dir = mkdtempSync(join(tmpdir(), 'flowlog-mix-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is what the generator writes, for every format', async () => {
    const s = await generate({ out: dir, flows: 3000, seed: 7, start: new Date('2024-11-20T10:00:00Z'), hours: 2 });
    const kinds = new Map<string, Set<string | null>>();
    for (const f of s.files) (kinds.get(f.format) ?? kinds.set(f.format, new Set()).get(f.format)!).add(keyKind(f.path));
    expect(Object.fromEntries([...kinds].map(([k, v]) => [k, [...v]]))).toEqual({
      'aws-v2': ['aws'], 'aws-v5': ['aws'], 'azure-nsg': ['azure'], 'azure-vnet': ['azure'],
    });
  });
});

describe('mixPlan', () => {
  it('spans enough hours for both object counts, and gives AWS objects the flows asked for', () => {
    const estate = { flowLogs: 9, nics: 102 };
    const { hours, flows } = mixPlan(DEFAULT_MIX, estate);
    expect(hours * estate.flowLogs * 12).toBeGreaterThanOrEqual(DEFAULT_MIX.minAwsObjects);
    expect(hours * estate.nics).toBeGreaterThanOrEqual(DEFAULT_MIX.minAzureBlobs * 1.1);
    expect(hours).toBe(93); // AWS is the binding side: ceil(10000 / 108)
    // AWS gets 70% of the flows: 100 per object
    expect(Math.round((flows * 0.7) / (hours * estate.flowLogs * 12))).toBe(100);
  });

  it('lets the Azure side set the hours when it needs more', () => {
    const { hours } = mixPlan({ ...DEFAULT_MIX, minAwsObjects: 100, minAzureBlobs: 1000 }, { flowLogs: 9, nics: 10 });
    expect(hours).toBe(110);
  });
});
