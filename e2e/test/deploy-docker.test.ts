// Static checks of the Dockerfile and docker-compose.yml (no Docker engine runs here; no image is built):
// pinned bases, non-root, production dependencies only, and every command points at a file the build
// produces (or that the repository ships) with flags the CLI accepts.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig as loadAdminConfig } from '@agentcore/admin-api';
import { loadConfig as loadProxyConfig } from '@agentcore/proxy';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk arbitrary compose YAML
type Json = any;

const root = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = readFileSync(root + 'Dockerfile', 'utf8');
const compose = parse(readFileSync(root + 'docker-compose.yml', 'utf8'), { merge: true, uniqueKeys: true }) as { services: Record<string, Record<string, Json>> };

/** Dockerfile instructions with continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = (() => {
  const out: { name: string; from: string; lines: string[] }[] = [];
  for (const l of instructions) {
    const m = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(l);
    if (m) out.push({ from: m[1]!, name: m[2] ?? '', lines: [] });
    else out.at(-1)?.lines.push(l);
  }
  return out;
})();
const argDefault = (name: string) => new RegExp(`^ARG ${name}=(\\S+)`, 'm').exec(dockerfile)?.[1];
/** Whether an image is pinned by digest or an exact release tag (x.y.z; x.y where that is the release, as PostgreSQL's). */
const pinned = (image: string) => /@sha256:[a-f0-9]{64}$/.test(image) || /:v?\d+\.\d+(\.\d+)?(-[a-z0-9.-]+)?$/.test(image);

describe('Dockerfile', () => {
  it('bases every stage on a pinned Node 24 image', () => {
    const base = argDefault('NODE_IMAGE');
    expect(base).toMatch(/^node:24\.\d+\.\d+-(bookworm|trixie)-slim(@sha256:[a-f0-9]{64})?$/);
    expect(pinned(base!)).toBe(true);
    for (const s of stages) expect(s.from === '${NODE_IMAGE}' || stages.some((o) => o.name === s.from), s.from).toBe(true);
  });

  it('runtime images: production dependencies only, non-root numeric user, tini as PID 1, health check, OCI labels', () => {
    const runtime = stages.find((s) => s.name === 'runtime')!;
    const prod = stages.find((s) => s.name === 'prod-deps')!;
    expect(prod.lines.some((l) => /^RUN npm ci .*--omit=dev/.test(l))).toBe(true);
    // node_modules reach the runtime only from the prod-deps stage.
    expect(runtime.lines.filter((l) => /node_modules/.test(l))).toEqual(['COPY --from=prod-deps /src/node_modules node_modules']);
    expect(runtime.lines).toContain('USER 1000:1000');
    expect(runtime.lines).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(runtime.lines.join('\n')).toMatch(/org\.opencontainers\.image\.(version|revision|source|licenses|created)/);
    for (const target of ['proxy', 'admin-api', 'demo-backend']) {
      const s = stages.find((x) => x.name === target)!;
      expect(s.from, target).toBe('runtime');
      expect(s.lines.some((l) => l.startsWith('HEALTHCHECK')), target).toBe(true);
      expect(s.lines.some((l) => l.includes('org.opencontainers.image.title')), target).toBe(true);
      expect(s.lines.some((l) => /^USER\s+(root|0)\b/.test(l)), target).toBe(false);
    }
  });

  it('every CMD runs a file the build produces', () => {
    const cmds = instructions.filter((l) => l.startsWith('CMD ')).map((l) => JSON.parse(l.slice(4)) as string[]);
    expect(cmds).toHaveLength(3);
    for (const c of cmds) {
      expect(c[0]).toBe('node');
      expect(existsSync(root + c[1]!), c[1]).toBe(true);
    }
  });

  it('.dockerignore keeps host node_modules, builds and git out of the context', () => {
    const ignore = readFileSync(root + '.dockerignore', 'utf8').split('\n');
    for (const p of ['**/node_modules', '**/dist', '.git', 'data']) expect(ignore).toContain(p);
  });
});

describe('docker-compose.yml', () => {
  const svc = compose.services;

  it('has the whole system, with the optional parts behind profiles', () => {
    expect(Object.keys(svc).sort()).toEqual(['admin-api-1', 'admin-api-2', 'demo-backend', 'grafana', 'openldap', 'postgres', 'prometheus', 'redis', 'seed', 'sidecar']);
    for (const core of ['postgres', 'redis', 'admin-api-1', 'admin-api-2', 'seed', 'demo-backend', 'sidecar']) expect(svc[core]!.profiles, core).toBeUndefined();
    expect(svc.openldap!.profiles).toEqual(['ldap']);
    expect(svc.prometheus!.profiles).toEqual(['observability']);
    expect(svc.grafana!.profiles).toEqual(['observability']);
  });

  it('pins every third-party image to an exact version, and builds ours from the Dockerfile targets', () => {
    for (const [name, s] of Object.entries(svc)) {
      if (String(s.image).startsWith('agentcore/')) {
        expect(s.image, name).toMatch(/^agentcore\/[a-z-]+:\d+\.\d+\.\d+$/);
        if (s.build) expect(stages.some((st) => st.name === s.build.target), name).toBe(true);
      } else expect(pinned(String(s.image)), `${name}: ${s.image}`).toBe(true);
    }
  });

  it('runs our containers read-only and never as root', () => {
    for (const name of ['admin-api-1', 'admin-api-2', 'seed', 'demo-backend', 'sidecar']) {
      expect(svc[name]!.read_only, name).toBe(true);
      expect(svc[name]!.user, name).toBeUndefined();
    }
  });

  it('every command runs a file that exists after the build, with flags the CLI accepts', () => {
    const env = { AGENTCORE_DB_PASSWORD: 'x' };
    for (const [name, s] of Object.entries(svc)) {
      if (!String(s.image).startsWith('agentcore/')) continue;
      const [node, file, ...args] = (s.command as string[]).map((a) => a.replace(/\$\{AGENTCORE_DB_PASSWORD:-[^}]*\}/, env.AGENTCORE_DB_PASSWORD));
      expect(node, name).toBe('node');
      expect(existsSync(root + file), `${name}: ${file}`).toBe(true);
      if (file === 'admin-api/dist/cli.js') expect(loadAdminConfig(args, {}).ok, name).toBe(true);
      if (file?.startsWith('proxy/') || file?.includes('sidecar-with-token-file')) {
        const r = loadProxyConfig(args, { AGENTCORE_PROXY_TOKEN: 'agc_sc_0123456789abcdef0123' });
        expect(r.ok, `${name}: ${JSON.stringify(r)}`).toBe(true);
      }
    }
  });

  it('two admin-API replicas on PostgreSQL behind one DNS name, the sidecar synced from it', () => {
    for (const n of ['admin-api-1', 'admin-api-2']) {
      expect(svc[n]!.command.find((a: string) => a.startsWith('--database='))).toMatch(/^--database=postgres:\/\/agentcore:.*@postgres:5432\/agentcore$/);
      expect(svc[n]!.networks.default.aliases).toEqual(['admin-api']);
    }
    expect(svc.sidecar!.command).toContain('--control-plane=http://admin-api:7070');
    expect(svc.sidecar!.depends_on.seed.condition).toBe('service_completed_successfully');
  });

  it('mounts only files that exist, and Grafana gets our dashboard', () => {
    for (const [name, s] of Object.entries(svc)) {
      for (const v of (s.volumes ?? []) as string[]) {
        const src = v.split(':')[0]!;
        if (src.startsWith('./')) expect(existsSync(root + src.slice(2)), `${name}: ${src}`).toBe(true);
      }
    }
    expect(svc.grafana!.volumes).toContain('./deploy/grafana:/var/lib/grafana/dashboards:ro');
    expect(existsSync(root + 'deploy/grafana/agentcore-dashboard.json')).toBe(true);
  });
});
