/**
 * A service name for an ENI that no tag names, from what AWS wrote on it when
 * a managed service created it. Flows to a NAT gateway or a load balancer are
 * the ones people ask about, and those ENIs are never tagged by their owners.
 */

export interface EniFacts {
  interfaceType?: string | undefined;
  description?: string | undefined;
  requesterId?: string | undefined;
}

// Types that belong to an instance: the instance, not AWS, is the service.
const INSTANCE_TYPES = new Set(['interface', 'efa', 'efa-only', 'trunk', 'branch']);

const UUID_TAIL = /-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The managed resource an ENI belongs to, named in its Description (NAT gateway, endpoint, TGW attachment): the id people search for. */
export function eniResourceHint(description = ''): string | undefined {
  return /\b((?:nat|vpce|tgw-attach)-[0-9a-f]{8,17})\b/.exec(description)?.[1];
}

export function eniServiceHint({ interfaceType, description = '', requesterId }: EniFacts): string | undefined {
  // "ELB app/<name>/<id>", "ELB net/<name>/<id>", "ELB gwy/<name>/<id>"; classic ELBs: "ELB <name>"
  const lb = /^ELB (app|net|gwy)\/([^/]+)\//.exec(description);
  if (lb) return `${{ app: 'alb', net: 'nlb', gwy: 'gwlb' }[lb[1] as 'app' | 'net' | 'gwy']}/${lb[2]}`;
  const classic = /^ELB ([A-Za-z0-9-]+)$/.exec(description);
  if (classic) return `elb/${classic[1]}`;
  if (interfaceType === 'nat_gateway') return 'nat-gateway';
  // "AWS Lambda VPC ENI-<function>-<uuid>": the function name is what people know
  const lambda = /^AWS Lambda VPC ENI-(.+)$/.exec(description);
  if (lambda) return `lambda/${(lambda[1] as string).replace(UUID_TAIL, '')}`;
  if (interfaceType === 'lambda') return 'lambda';
  if (interfaceType === 'vpc_endpoint') return 'vpc-endpoint';
  if (/^arn:aws[a-z-]*:ecs:/.test(description)) return 'ecs';
  const eks = /^Amazon EKS (\S+)$/.exec(description);
  if (eks) return `eks/${eks[1]}`;
  if (description === 'RDSNetworkInterface' || requesterId === 'amazon-rds') return 'rds';
  if (description.startsWith('EFS mount target')) return 'efs';
  if (interfaceType && !INSTANCE_TYPES.has(interfaceType)) return interfaceType.replace(/_/g, '-');
  if (requesterId?.startsWith('amazon-')) return requesterId.slice('amazon-'.length);
  return undefined;
}
