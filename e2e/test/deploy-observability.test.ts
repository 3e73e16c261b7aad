// The alert rules and the Grafana dashboard: `promtool check rules`, and every metric they query is
// one a started sidecar exports (scraped from its /metrics) or one the admin API must export
// (deploy/metrics-contract.json; checked against its /metrics once it serves one).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rulesFile = root + 'deploy/prometheus/alert-rules.yml';
const contract = JSON.parse(readFileSync(root + 'deploy/metrics-contract.json', 'utf8')) as Record<'sidecar' | 'adminApi' | 'prometheus', Record<string, { type: string; labels: string[] }>>;
const rules = parse(readFileSync(rulesFile, 'utf8')) as { groups: { name: string; rules: { alert: string; expr: string }[] }[] };
const dashboard = JSON.parse(readFileSync(root + 'deploy/grafana/agentcore-dashboard.json', 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[]; templating: { list: { query?: string }[] } };

/** Metric names in a PromQL expression (histogram series folded to the histogram's name). */
function metricsIn(expr: string): string[] {
  const names = [...expr.matchAll(/\b(agentcore_[a-z0-9_]+)\b/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''));
  if (/\bup\s*\{/.test(expr)) names.push('up');
  return names;
}
const queried = new Map<string, string[]>();
for (const g of rules.groups) for (const r of g.rules) for (const n of metricsIn(r.expr)) queried.set(n, [...(queried.get(n) ?? []), `rule ${r.alert}`]);
for (const p of dashboard.panels) for (const t of p.targets) for (const n of metricsIn(t.expr)) queried.set(n, [...(queried.get(n) ?? []), `panel ${p.title}`]);
for (const v of dashboard.templating.list) for (const n of metricsIn(v.query ?? '')) queried.set(n, [...(queried.get(n) ?? []), 'dashboard variable']);

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}
async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer within 20 s`);
}
/** `# TYPE name type` lines of a Prometheus text exposition. */
function exported(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

const children: ChildProcess[] = [];
let sidecarMetrics: Map<string, string>;
let adminMetrics: { status: number; text: string };

beforeAll(async () => {
  const [listen, adminListen, adminApi] = await Promise.all([freePort(), freePort(), freePort()]);
  const sidecar = spawn(process.execPath, [root + 'proxy/dist/cli.js', '--bundle', root + 'policies/examples/demo.bundle.json', '--upstream', 'http://127.0.0.1:9', '--listen', `127.0.0.1:${listen}`, '--admin-listen', `127.0.0.1:${adminListen}`, '--watch', 'false', '--log-level', 'silent'], { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'agentcore-metrics-'));
  const admin = spawn(process.execPath, [root + 'admin-api/dist/cli.js', '--listen', `127.0.0.1:${adminApi}`, '--database', `sqlite:${join(dir, 'a.db')}`, '--log-level', 'silent', '--metrics-public', 'true'], { stdio: 'ignore', env: { ...process.env, AGENTCORE_ADMIN_PASSWORD: 'metrics test password 123' } });
  children.push(sidecar, admin);
  await Promise.all([waitFor(`http://127.0.0.1:${adminListen}/healthz`, sidecar), waitFor(`http://127.0.0.1:${adminApi}/api/v1/openapi.json`, admin)]);
  sidecarMetrics = exported(await (await fetch(`http://127.0.0.1:${adminListen}/metrics`)).text());
  const r = await fetch(`http://127.0.0.1:${adminApi}/metrics`);
  adminMetrics = { status: r.status, text: await r.text() };
}, 60_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
});

describe('alert rules', () => {
  it('pass promtool check rules', (ctx) => {
    const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
    if (found.error) ctx.skip('promtool is not installed (Debian package "prometheus"; .ci/run installs it)');
    const r = spawnSync('promtool', ['check', 'rules', rulesFile], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('cover error rate, sidecar out of date, bundle rejected, Redis fallback and circuit open', () => {
    const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
    for (const a of ['AgentCoreHighErrorRate', 'AgentCoreSidecarOutOfDate', 'AgentCoreBundleRejected', 'AgentCoreRedisFallbackActive', 'AgentCoreCircuitOpen']) expect(alerts).toContain(a);
  });
});

describe('every metric the dashboard and the rules query is exported', () => {
  it('queries only metrics of the contract', () => {
    expect(queried.size).toBeGreaterThan(10);
    const known = new Set([...Object.keys(contract.sidecar), ...Object.keys(contract.adminApi), ...Object.keys(contract.prometheus)]);
    const unknown = [...queried].filter(([n]) => !known.has(n)).map(([n, where]) => `${n} (${where.join(', ')})`);
    expect(unknown).toEqual([]);
  });

  it('the sidecar exports every sidecar metric queried, with the contract type', () => {
    const queriedSidecar = [...queried.keys()].filter((n) => n.startsWith('agentcore_proxy_'));
    expect(queriedSidecar.length).toBeGreaterThan(8);
    for (const n of queriedSidecar) expect(sidecarMetrics.get(n), `${n} (${queried.get(n)!.join(', ')})`).toBe(contract.sidecar[n]?.type);
    for (const [n, spec] of Object.entries(contract.sidecar)) expect(sidecarMetrics.get(n), n).toBe(spec.type);
  });

  it('the admin API exports every admin metric of the contract (skipped while it has no /metrics)', (ctx) => {
    if (adminMetrics.status === 404) ctx.skip(`the admin API has no /metrics yet: it must export ${Object.keys(contract.adminApi).join(', ')} (deploy/metrics-contract.json)`);
    expect(adminMetrics.status).toBe(200);
    const admin = exported(adminMetrics.text);
    for (const [n, spec] of Object.entries(contract.adminApi)) expect(admin.get(n), n).toBe(spec.type);
  });
});

describe('the Grafana dashboard', () => {
  it('shows the panels the issue lists', () => {
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const t of ['request rate', 'error rate', 'p50 / p99', 'denials by reason', '429', 'upstream health', 'bundle revision per sidecar', 'redis fallback']) expect(titles).toContain(t);
  });
});
