/**
 * The Helm chart (infra/helm/flowlog), checked by a real helm built from the Go module proxy
 * (infra/helm/helm.sh): `helm lint --strict`, and `helm template` rendered and read back: the kinds, the
 * two Deployments (ingest with the replicas asked, one detect instance), probes on /healthz at the
 * metrics port, a configuration per role that flowlog's own schema accepts, the Secret holding every
 * { env: NAME } it names, and the PrometheusRule carrying the chart's rules file. Not installed on a
 * cluster: there is none here.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../../services/config/load-config.js';
import { REPO_ROOT } from '../../test/paths.js';

const run = promisify(execFile);
const CHART = join(REPO_ROOT, 'infra/helm/flowlog');
const helm = (...args: string[]) => run('bash', [join(REPO_ROOT, 'infra/helm/helm.sh'), 'run', ...args], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });

interface Container { args: string[]; ports: { name: string; containerPort: number }[]; envFrom: { secretRef: { name: string } }[];
  livenessProbe: { httpGet: { path: string; port: string } }; readinessProbe: { httpGet: { path: string; port: string } };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean } }
interface Manifest { kind: string; metadata: { name: string; labels?: Record<string, string> }; data?: Record<string, string>; stringData?: Record<string, string>;
  spec?: { replicas?: number; strategy?: { type: string }; groups?: unknown;
    template?: { metadata: { annotations: Record<string, string> }; spec: { containers: Container[]; securityContext: { runAsNonRoot: boolean } } } } }

async function render(...set: string[]): Promise<Manifest[]> {
  const { stdout } = await helm('template', 'fl', CHART, ...set.flatMap((s) => ['--set', s]));
  return parseAllDocuments(stdout).map((d) => d.toJS() as Manifest).filter(Boolean);
}
const deployment = (ms: Manifest[], role: string) => {
  const d = ms.find((m) => m.kind === 'Deployment' && m.metadata.labels?.['app.kubernetes.io/component'] === role);
  if (!d) throw new Error(`no ${role} Deployment rendered`);
  return d;
};

let manifests: Manifest[];

beforeAll(async () => {
  // cold: several minutes to build helm; then instant
  await run('bash', [join(REPO_ROOT, 'infra/helm/helm.sh'), 'install'], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
  manifests = await render('ingest.replicas=5', 'metrics.serviceMonitor.enabled=true', 'metrics.prometheusRule.enabled=true');
}, 1_200_000);

describe('helm chart infra/helm/flowlog', () => {
  it('passes helm lint --strict', async () => {
    const { stdout } = await helm('lint', '--strict', CHART);
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders the expected kinds: two Deployments, ConfigMap, Secret, Service, and the Prometheus Operator objects when asked', async () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Deployment', 'PrometheusRule', 'Secret', 'Service', 'ServiceAccount', 'ServiceMonitor']);
    // off by default: they need the operator's CRDs
    expect((await render()).map((m) => m.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Deployment', 'Secret', 'Service', 'ServiceAccount']);
  });

  it('honours the ingest replicas value and runs exactly one detect instance, never two at once', async () => {
    expect(deployment(manifests, 'ingest').spec!.replicas).toBe(5);
    expect(deployment(manifests, 'detect').spec!.replicas).toBe(1);
    expect(deployment(manifests, 'detect').spec!.strategy).toEqual({ type: 'Recreate' });
    expect(deployment(await render('ingest.replicas=1', 'detect.enabled=false'), 'ingest').spec!.replicas).toBe(1);
    expect((await render('detect.enabled=false')).filter((m) => m.kind === 'Deployment')).toHaveLength(1);
  });

  it('probes /healthz on the metrics port that the configuration listens on, with scrape annotations, as a non-root read-only container', () => {
    const config = manifests.find((m) => m.kind === 'ConfigMap')!;
    for (const role of ['ingest', 'detect']) {
      const pod = deployment(manifests, role).spec!.template!;
      const c = pod.spec.containers[0]!;
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
      const port = c.ports.find((p) => p.name === 'metrics')!.containerPort;
      expect(parseConfig(config.data![`${role}.yaml`]!, role).metrics?.listen).toBe(`0.0.0.0:${port}`);
      expect(pod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' });
      expect(c.args).toEqual(['run', '--config', `/etc/flowlog/${role}.yaml`, '--role', role]);
      expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    }
    const service = manifests.find((m) => m.kind === 'Service')!;
    expect(JSON.stringify(service.spec)).toContain('"targetPort":"metrics"');
  });

  it('gives each role a configuration flowlog accepts: ingest without schedules, detect with them, one consumer group', () => {
    const data = manifests.find((m) => m.kind === 'ConfigMap')!.data!;
    const ingest = parseConfig(data['ingest.yaml']!, 'ingest.yaml');
    const detect = parseConfig(data['detect.yaml']!, 'detect.yaml');
    expect(ingest.detect).toBeUndefined();
    expect(detect.detect).toBeDefined();
    expect(ingest.store.kind).toBe('clickhouse');
    expect(ingest.sources.length).toBeGreaterThan(0);
    const groups = [...ingest.sources, ...detect.sources].filter((s) => s.kind === 'kafka').map((s) => s.group_id);
    expect(new Set(groups).size).toBe(1);
  });

  it('puts every { env: NAME } the configuration names in the Secret the Deployments read', () => {
    const secret = manifests.find((m) => m.kind === 'Secret')!;
    const data = manifests.find((m) => m.kind === 'ConfigMap')!.data!;
    const refs = [...(data['ingest.yaml']! + data['detect.yaml']!).matchAll(/env: (\w+)/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const name of refs) expect(secret.stringData, name).toHaveProperty(name);
    for (const role of ['ingest', 'detect']) {
      expect(deployment(manifests, role).spec!.template!.spec.containers[0]!.envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);
    }
  });

  it('serves the rules of files/flowlog-rules.yaml as the PrometheusRule (the copy of infra/prometheus/flowlog-rules.yaml, whose metrics rules.test.ts checks)', () => {
    const rule = manifests.find((m) => m.kind === 'PrometheusRule')!;
    const file = parse(readFileSync(join(CHART, 'files/flowlog-rules.yaml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    expect(rule.spec!.groups).toEqual(file.groups);
    expect(file.groups.flatMap((g) => g.rules).length).toBeGreaterThanOrEqual(8);
  });

  it('refuses what cannot work: the embedded store (one process) and a missing Secret name', async () => {
    await expect(render('config.store.kind=embedded')).rejects.toThrow(/store\.kind must be clickhouse/);
    await expect(render('secret.create=false')).rejects.toThrow(/secret\.existingSecret/);
    const external = await render('secret.create=false', 'secret.existingSecret=flowlog-creds');
    expect(external.map((m) => m.kind)).not.toContain('Secret');
    expect(deployment(external, 'ingest').spec!.template!.spec.containers[0]!.envFrom).toEqual([{ secretRef: { name: 'flowlog-creds' } }]);
  });
});
