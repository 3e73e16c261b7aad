import { Upstream } from '@agentcore/policies';
import { describe, expect, it } from 'vitest';
import { dnsTargetName, upstreamWithDnsTargets } from './dns-targets.js';

const base = Upstream.parse({ targets: [{ name: 'placeholder', url: 'http://127.0.0.1:1' }], loadBalancing: { algorithm: 'least-request' } });

describe('upstreamWithDnsTargets', () => {
  it('turns discovered addresses into schema-valid targets with stable names, v6 bracketed, weights clamped', () => {
    const u = upstreamWithDnsTargets(base, [
      { host: '10.1.0.1', port: 8080, weight: 1, id: '10.1.0.1:8080' },
      { host: 'fd00::7', port: 8443, weight: 0, id: '[fd00::7]:8443' },
      { host: '10.1.0.2', port: 8080, weight: 65535, id: '10.1.0.2:8080' },
    ], 'https')!;
    expect(u.targets).toEqual([
      { name: '10-1-0-1-8080', url: 'https://10.1.0.1:8080', weight: 1 },
      { name: 'fd00--7-8443', url: 'https://[fd00::7]:8443', weight: 1 },
      { name: '10-1-0-2-8080', url: 'https://10.1.0.2:8080', weight: 1000 },
    ]);
    expect(u.loadBalancing.algorithm).toBe('least-request');
    // The result passes the bundle schema, so the cluster is built from it like from any bundle.
    expect(Upstream.safeParse(u).success).toBe(true);
  });

  it('gives no upstream for no targets, and names stay within 64 characters', () => {
    expect(upstreamWithDnsTargets(base, [])).toBeUndefined();
    expect(dnsTargetName({ host: 'fd00:1234:5678:9abc:def0:1234:5678:9abc', port: 65535, weight: 1, id: 'x' }).length).toBeLessThanOrEqual(64);
  });
});
