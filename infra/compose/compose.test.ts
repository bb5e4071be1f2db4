/**
 * The deployment kit without a Docker engine: docker-compose.yml, infra/Dockerfile and .dockerignore
 * are parsed and held to what a deployment needs (pinned images, healthchecks, a sized spool, the init
 * jobs, a config flowlog accepts, a non-root image on a supported Node LTS), and the image's entrypoint
 * is run here as a process with the arguments and environment compose gives it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../services/config/load-config.js';
import { REPO_ROOT } from '../../test/paths.js';

const run = promisify(execFile);
const read = (p: string) => readFileSync(join(REPO_ROOT, p), 'utf8');

interface Healthcheck { test: string[] | string; interval?: string; retries?: number }
interface Service {
  image?: string; build?: { context: string; dockerfile: string }; command?: string[] | string; entrypoint?: string[];
  environment?: Record<string, string | number>; volumes?: string[]; ports?: string[]; healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition: string }>; restart?: string; shm_size?: string; profiles?: string[];
}
// merge: the two flowlog services share their image, build and spool size through a YAML merge key
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
const svc = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const pkg = JSON.parse(read('package.json')) as { version: string };
const configText = read('infra/compose/flowlog.yaml');
const config = parseConfig(configText, 'infra/compose/flowlog.yaml');
const dockerfile = read('infra/Dockerfile');

/** The one-shot services: nothing waits for them to be healthy, so they need no healthcheck. */
const ONE_SHOT = ['flowlog', 'kafka-init', 'minio-init', 'flowlog-cluster'];

/** An image reference with a tag other than latest, or a digest. */
function pinned(ref: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return true;
  const tag = /:([^/:]+)$/.exec(ref)?.[1];
  return tag !== undefined && tag !== 'latest' && /\d/.test(tag);
}

/** Bytes of a compose size (512m, 1gb, 268435456). */
function bytes(size: string | number): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(String(size).trim());
  if (!m) throw new Error(`not a size: ${size}`);
  return Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase());
}

/** Dockerfile instructions (continuation lines joined, comments dropped). */
function instructions(text: string): { op: string; args: string }[] {
  return text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => { const i = l.indexOf(' '); return { op: l.slice(0, i).toUpperCase(), args: l.slice(i + 1).trim() }; });
}
const dockerOps = instructions(dockerfile);
const lastOp = (op: string) => dockerOps.filter((i) => i.op === op).at(-1)?.args;
const execForm = (op: string): string[] => {
  const args = lastOp(op);
  if (!args) throw new Error(`infra/Dockerfile has no ${op}`);
  return JSON.parse(args) as string[];   // exec form only: the shell form would keep SIGTERM from node
};

describe('docker-compose.yml', () => {
  it('pins every image (a version tag or a digest, never latest), and the flowlog image is tagged with the package version', () => {
    const images = Object.entries(services).filter(([, s]) => s.image).map(([n, s]) => [n, s.image!] as const);
    expect(images.length).toBeGreaterThanOrEqual(7);
    expect(images.filter(([, ref]) => !pinned(ref))).toEqual([]);
    expect(pinned('minio/minio:latest')).toBe(false);
    expect(pinned('minio/minio')).toBe(false);
    expect(pinned('quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z')).toBe(true);
    for (const name of ['flowlog', 'flowlog-run']) {
      expect(svc(name).build?.dockerfile).toBe('infra/Dockerfile');
      expect(svc(name).image).toBe(`flowlog:${pkg.version}`);
    }
  });

  it('has a healthcheck on every long-running service; the services without one are the one-shot jobs, never restarted', () => {
    const without = Object.entries(services).filter(([, s]) => !s.healthcheck).map(([n]) => n).sort();
    expect(without).toEqual([...ONE_SHOT].sort());
    for (const name of ONE_SHOT) expect(svc(name).restart).toBe('no');
    for (const [name, s] of Object.entries(services)) {
      if (ONE_SHOT.includes(name)) continue;
      const test = s.healthcheck!.test;
      expect(Array.isArray(test) ? test[0] : 'CMD-SHELL', name).toMatch(/^CMD(-SHELL)?$/);
      expect(s.restart, name).toBe('unless-stopped');
    }
  });

  it('waits on health or completion only where the other side can give it', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        if (condition === 'service_healthy') expect(svc(dep).healthcheck, `${name} waits for ${dep} to be healthy`).toBeDefined();
        else expect([name, dep, condition]).toEqual([name, dep, 'service_completed_successfully']);
        if (condition === 'service_completed_successfully') expect(ONE_SHOT).toContain(dep);
      }
    }
  });

  it('gives the embedded store\'s spool room: shm_size well above one batch block (163 MB measured), or FLOWLOG_SPOOL_DIR on a volume', () => {
    for (const name of ['flowlog', 'flowlog-run']) {
      const s = svc(name);
      const spoolDir = s.environment?.FLOWLOG_SPOOL_DIR;
      if (spoolDir !== undefined) expect((s.volumes ?? []).some((v) => String(spoolDir).startsWith(v.split(':')[1]!))).toBe(true);
      else expect(bytes(s.shm_size ?? '64m'), name).toBeGreaterThanOrEqual(3 * 163 * 1024 ** 2);
    }
    expect(bytes('512m')).toBe(512 * 1024 ** 2);
    expect(bytes('1gb')).toBe(1024 ** 3);
  });

  it('runs init jobs that create the topics, the bucket and its notifications, and flowlog-run waits for both', () => {
    const run = svc('flowlog-run');
    expect(run.depends_on?.['kafka-init']?.condition).toBe('service_completed_successfully');
    expect(run.depends_on?.['minio-init']?.condition).toBe('service_completed_successfully');

    const kafka = config.sources.find((s) => s.kind === 'kafka');
    const poll = config.sources.find((s) => s.kind === 's3');
    if (kafka?.kind !== 'kafka' || poll?.kind !== 's3') throw new Error('infra/compose/flowlog.yaml should have a kafka and an s3 source');
    const bucket = /^s3:\/\/([^/]+)\/(.*)$/.exec(poll.uri)!;

    // kafka-init creates every topic flowlog-run reads
    const kafkaInit = [svc('kafka-init').command].flat().join('\n');
    expect(svc('kafka-init').image).toBe(svc('kafka').image);
    for (const topic of kafka.topics) expect(kafkaInit).toContain(topic);
    expect(kafkaInit).toMatch(/kafka-topics\.sh --bootstrap-server kafka:9092 --create --if-not-exists/);

    // MinIO has a Kafka target publishing to a topic flowlog reads, at the broker flowlog reads
    const env = svc('minio').environment ?? {};
    const id = Object.keys(env).map((k) => /^MINIO_NOTIFY_KAFKA_ENABLE_(\w+)$/.exec(k)?.[1]).find(Boolean);
    expect(id).toBeDefined();
    expect(env[`MINIO_NOTIFY_KAFKA_ENABLE_${id}`]).toBe('on');
    expect(kafka.brokers).toContain(env[`MINIO_NOTIFY_KAFKA_BROKERS_${id}`]);
    expect(kafka.topics).toContain(env[`MINIO_NOTIFY_KAFKA_TOPIC_${id}`]);

    // minio-init makes the bucket and subscribes it to that target, for the prefix flowlog may fetch
    const mc = [svc('minio-init').command].flat().join('\n');
    expect(mc).toContain(`mc mb --ignore-existing local/${bucket[1]}`);
    const arn = `arn:minio:sqs:${env.MINIO_SITE_REGION}:${id}:kafka`;
    expect(mc).toContain(`mc event add local/${bucket[1]} ${arn} --event put --prefix ${bucket[2]}`);
    expect(mc).toContain(`mc alias set local http://minio:9000 ${env.MINIO_ROOT_USER} ${env.MINIO_ROOT_PASSWORD}`);
    expect(kafka.s3?.allow).toContainEqual({ bucket: bucket[1], prefix: bucket[2] });
  });

  it('mounts a flowlog config the project\'s own schema accepts, with every secret it names set and /healthz where the healthcheck asks', () => {
    const run = svc('flowlog-run');
    const mount = run.volumes!.find((v) => v.startsWith('./infra/compose/flowlog.yaml:'))!;
    expect(mount.split(':')[1]).toBe([run.command].flat().at(-1));
    expect(config.store.kind).toBe('clickhouse');
    // every { env: NAME } in the file is set in the service's environment
    const refs = [...configText.matchAll(/\{\s*env:\s*(\w+)\s*\}/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const name of refs) expect(run.environment, name).toHaveProperty(name);
    // the healthcheck asks metrics.listen's port, which is also the one published
    const port = config.metrics!.listen.split(':').at(-1);
    expect(config.metrics!.listen.startsWith('0.0.0.0:')).toBe(true);   // reachable through the published port
    expect([run.healthcheck!.test].flat().join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
    expect(run.ports).toContain(`127.0.0.1:${port}:${port}`);
  });

  it('provisions Grafana with the ClickHouse datasource plugin, from infra/grafana', () => {
    const g = svc('grafana');
    expect(g.profiles).toEqual(svc('flowlog-run').profiles);
    expect(g.environment?.GF_INSTALL_PLUGINS).toContain('grafana-clickhouse-datasource');
    expect(g.volumes).toContain('./infra/grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(g.volumes).toContain('./infra/grafana/dashboards:/var/lib/grafana/dashboards:ro');
  });

  it('declares every named volume it mounts', () => {
    const named = Object.values(services).flatMap((s) => s.volumes ?? []).map((v) => v.split(':')[0]!).filter((v) => !v.startsWith('.') && !v.startsWith('/'));
    expect(new Set(named)).toEqual(new Set(Object.keys(compose.volumes)));
  });
});

describe('the cluster profile (infra/clickhouse-cluster)', () => {
  const inProfile = Object.entries(services).filter(([, s]) => s.profiles?.includes('cluster'));
  const shards = inProfile.filter(([, s]) => s.image?.startsWith('clickhouse/clickhouse-server:') && !s.entrypoint).map(([n]) => n);
  const clusterXml = read('infra/clickhouse-cluster/cluster.xml');
  const keeperXml = read('infra/clickhouse-cluster/keeper.xml');
  /** The text of the first <tag> in an XML text (these files are small and flat: no parser needed). */
  const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
  /** The file a service mounts at a container path. */
  const mounted = (s: Service, at: string) => s.volumes?.find((v) => v.split(':')[1] === at)?.split(':')[0];

  it('has two ClickHouse shards, one Keeper and flowlog, all in the profile, and every config file they mount exists', () => {
    expect(shards).toEqual(['ch-s1', 'ch-s2']);
    expect(inProfile.map(([n]) => n).sort()).toEqual(['ch-s1', 'ch-s2', 'flowlog-cluster', 'keeper']);
    for (const [name, s] of inProfile) {
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0]!;
        if (src.startsWith('./infra/')) expect(existsSync(join(REPO_ROOT, src)), `${name}: ${src}`).toBe(true);
      }
    }
    expect(mounted(svc('keeper'), '/etc/clickhouse-keeper/keeper.xml')).toBe('./infra/clickhouse-cluster/keeper.xml');
    expect(svc('keeper').entrypoint).toEqual(['clickhouse', 'keeper', '--config-file', '/etc/clickhouse-keeper/keeper.xml']);
  });

  it('gives each shard its own macros ({shard} and {replica} differ), the cluster config, and a data volume of its own', () => {
    const macros = shards.map((n) => {
      const s = svc(n);
      expect(mounted(s, '/etc/clickhouse-server/config.d/cluster.xml'), n).toBe('./infra/clickhouse-cluster/cluster.xml');
      const file = mounted(s, '/etc/clickhouse-server/config.d/macros.xml');
      expect(file, n).toBeDefined();
      const xml = read(file!.slice(2));
      return { shard: tag(xml, 'shard'), replica: tag(xml, 'replica'), cluster: tag(xml, 'cluster'), data: mounted(s, '/var/lib/clickhouse') };
    });
    for (const m of macros) { expect(m.shard).toMatch(/\S/); expect(m.replica).toMatch(/\S/); }
    expect(new Set(macros.map((m) => m.shard)).size).toBe(shards.length);
    expect(new Set(macros.map((m) => m.replica)).size).toBe(shards.length);
    expect(new Set(macros.map((m) => m.data)).size).toBe(shards.length);
    expect(new Set(macros.map((m) => m.cluster))).toEqual(new Set(['flowlog']));
  });

  it('names, in remote_servers, one shard per server (its host and native port) under the cluster flowlog migrates, and the Keeper by its service and port', () => {
    const cluster = /<remote_servers>\s*<(\w+)>/.exec(clusterXml)?.[1];
    const cmd = [svc('flowlog-cluster').command].flat();
    expect(cmd).toEqual(['migrate', '--cluster', cluster]);
    const hosts = [...clusterXml.matchAll(/<shard>[\s\S]*?<host>([^<]+)<\/host><port>(\d+)<\/port>[\s\S]*?<\/shard>/g)].map((m) => [m[1], m[2]]);
    expect(hosts).toEqual(shards.map((n) => [n, '9000']));
    expect(clusterXml).toContain('<internal_replication>true</internal_replication>');
    const keeper = /<zookeeper>\s*<node><host>([^<]+)<\/host><port>(\d+)<\/port><\/node>/.exec(clusterXml);
    expect(keeper?.[1]).toBe('keeper');
    expect(keeper?.[2]).toBe(tag(keeperXml, 'tcp_port'));
    // the Keeper healthcheck asks the readiness endpoint on its control port
    const control = /<http_control>\s*<port>(\d+)<\/port>[\s\S]*?<endpoint>([^<]+)<\/endpoint>/.exec(keeperXml);
    expect([svc('keeper').healthcheck!.test].flat().join(' ')).toContain(`http://127.0.0.1:${control?.[1]}${control?.[2]}`);
    expect(tag(keeperXml, 'hostname')).toBe('keeper');
  });

  it('points flowlog at a shard, in the database every shard creates, as the user they create, after both are healthy', () => {
    const f = svc('flowlog-cluster');
    const env = f.environment ?? {};
    const host = /^http:\/\/([^:/]+):8123$/.exec(String(env.CLICKHOUSE_URL))?.[1];
    expect(shards).toContain(host);
    for (const n of shards) {
      const e = svc(n).environment ?? {};
      expect(e.CLICKHOUSE_DB, n).toBe(env.CLICKHOUSE_DATABASE);
      expect(e.CLICKHOUSE_USER, n).toBe(env.CLICKHOUSE_USER);
      expect(e.CLICKHOUSE_PASSWORD, n).toBe(env.CLICKHOUSE_PASSWORD);
      expect(f.depends_on?.[n]?.condition).toBe('service_healthy');
      expect(svc(n).depends_on?.keeper?.condition).toBe('service_healthy');
    }
    expect(f.image).toBe(`flowlog:${pkg.version}`);
  });
});

describe('infra/Dockerfile and .dockerignore', () => {
  it('runs on a supported Node LTS (an even major, 22 or later), Debian slim (glibc for chdb), pinned to a release; a build stage only on the same release', () => {
    const from = dockerOps.filter((i) => i.op === 'FROM').map((i) => i.args);
    const m = /^node:((\d+)\.\d+\.\d+)-bookworm-slim$/.exec(from.at(-1)!);
    expect(m, from.at(-1)).not.toBeNull();
    const major = Number(m![2]);
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(22);
    // the native module's stage: the full image of the same release (it has a C compiler), named, and copied from
    for (const stage of from.slice(0, -1)) expect(stage).toMatch(new RegExp(`^node:${m![1]!.replace(/\./g, '\\.')}-bookworm AS \\w+$`));
    expect(dockerOps.filter((i) => i.op === 'COPY' && i.args.startsWith('--from=')).length).toBe(from.length - 1);
  });

  it('runs as a user that is not root, with the data folder its own', () => {
    const user = lastOp('USER');
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    expect(dockerOps.findIndex((i) => i.op === 'USER')).toBeGreaterThan(dockerOps.findIndex((i) => i.op === 'RUN' && i.args.includes('npm ci')));
    expect(dockerfile).toMatch(/chown node:node \/data/);
    expect(lastOp('ENV')).toContain('FLOWLOG_DATA_DIR=/data');
  });

  it('copies only what exists and keeps the build context small', () => {
    for (const c of dockerOps.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from='))) {
      for (const src of c.args.split(/\s+/).slice(0, -1)) expect(existsSync(join(REPO_ROOT, src)), src).toBe(true);
    }
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', '.git', '.flowlog', 'infra/.state', 'test-artifacts']) expect(ignored).toContain(p);
    // nothing the image copies is ignored
    for (const p of ['bin', 'services', 'schemas', 'sql', 'package.json', 'package-lock.json']) expect(ignored).not.toContain(p);
  });
});

describe('the image\'s entrypoint, run as a process', () => {
  const entrypoint = execForm('ENTRYPOINT');
  const cmd = execForm('CMD');
  /** The image's WORKDIR is the checkout's root; a compose bind mount maps a container path to a file here. */
  const hostPath = (arg: string, s: Service) => {
    for (const v of s.volumes ?? []) {
      const [src, dst] = v.split(':');
      if (src!.startsWith('./') && arg === dst) return join(REPO_ROOT, src!);
    }
    return arg;
  };
  const exec = (args: string[], env: Record<string, string | number> = {}) => run(entrypoint[0]!, [...entrypoint.slice(1), ...args], {
    cwd: REPO_ROOT, env: { ...process.env, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])), FLOWLOG_DATA_DIR: '/nonexistent-flowlog-data' },
  });

  it('is node bin/flowlog.js in exec form, and the default command is the demo', () => {
    expect(entrypoint).toEqual(['node', 'bin/flowlog.js']);
    expect(cmd).toEqual(['demo']);
    expect(lastOp('WORKDIR')).toBe('/app');
  });

  it('accepts flowlog-run\'s command and configuration (run --check exits 0)', async () => {
    const s = svc('flowlog-run');
    const args = [s.command].flat().map((a) => hostPath(a!, s));
    expect(args.at(-1)).toBe(join(REPO_ROOT, 'infra/compose/flowlog.yaml'));
    const { stdout } = await exec([...args, '--check'], s.environment);
    expect(stdout).toContain('flowlog.yaml: ok (2 sources)');
  });

  it('answers --version with the package version, and --help on the default command', async () => {
    expect((await exec(['--version'])).stdout.trim()).toBe(`flowlog ${pkg.version}`);
    expect((await exec([...cmd, '--help'])).stdout).toContain('usage: flowlog demo');
  });
});

describe('the flowlog-run healthcheck command', () => {
  let server: Server;
  let status = 200;
  beforeAll(async () => {
    server = createServer((req, res) => { res.writeHead(req.url === '/healthz' ? status : 404).end('{}'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const probe = async () => {
    const [kind, bin, ...args] = [svc('flowlog-run').healthcheck!.test].flat();
    expect(kind).toBe('CMD');
    const port = (server.address() as AddressInfo).port;
    const local = args.map((a) => a.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`));
    return run(bin!, local).then(() => 0, (e: { code: number }) => e.code);
  };

  it('exits 0 on 200 and 1 on 503 from /healthz', async () => {
    status = 200;
    expect(await probe()).toBe(0);
    status = 503;
    expect(await probe()).toBe(1);
  });
});
