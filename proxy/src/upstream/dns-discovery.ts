/**
 * DNS service discovery for an upstream: a DNS name whose addresses are the targets, re-resolved when
 * their TTL runs out, so a Kubernetes headless Service's Pods become targets as they come and go.
 *
 * - `a` mode: A and AAAA records of `name`, each with the configured `port`.
 * - `srv` mode: SRV records of `name` (e.g. `_http._tcp.orders.shop.svc.cluster.local`); the lowest
 *   priority that has addresses wins, each target carries its SRV port and weight. Node's resolver
 *   does not report an SRV record's own TTL, so the set is re-read on the shortest TTL of the
 *   targets' A/AAAA records (clamped like every TTL).
 *
 * TTLs are clamped to [minTtlMs, maxTtlMs]. An authoritative "no such name / no records" answer
 * empties the target list (the Service was scaled to zero); any other failure (timeout, refused,
 * SERVFAIL) keeps the last good list and retries after `retryMs`.
 */
import { Resolver } from 'node:dns/promises';

/** One resolved backend address. */
export interface DnsTarget {
  /** IPv4 or IPv6 address */
  host: string;
  port: number;
  /** SRV weight (a/aaaa: 1) */
  weight: number;
  /** `host:port`, or `[v6]:port` (stable, usable as a target name) */
  id: string;
}

/** What to resolve and how often. */
export interface DnsDiscoveryOptions {
  name: string;
  mode: 'a' | 'srv';
  /** port of every address in `a` mode (ignored in `srv` mode) */
  port?: number;
  /** resolvers as `ip` or `ip:port` (default: the system's) */
  servers?: string[];
  minTtlMs?: number;
  maxTtlMs?: number;
  /** wait after a failed resolution before the next try */
  retryMs?: number;
  /** per-query timeout of the resolver */
  timeoutMs?: number;
  /** called with the new list whenever it changes (not on unchanged re-resolutions) */
  onChange?: (targets: readonly DnsTarget[]) => void;
  /** called when a resolution fails and the last good list is kept */
  onError?: (err: Error) => void;
}

/** A running discovery: the current targets, refreshed in the background. */
export interface DnsDiscovery {
  targets(): readonly DnsTarget[];
  /** resolves now (also what `startDnsDiscovery` awaits first); returns the delay until the next refresh */
  refresh(): Promise<number>;
  close(): void;
}

const NO_RECORDS = new Set(['ENOTFOUND', 'ENODATA']);
const NAME = /^(?=.{1,253}$)(_?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\._?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function target(host: string, port: number, weight: number): DnsTarget {
  return { host, port, weight, id: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}` };
}

function code(e: unknown): string {
  return String((e as { code?: string }).code ?? '');
}

/** A and AAAA of `name` with their TTLs; `undefined` addresses when the name has no records at all. */
async function addresses(resolver: Resolver, name: string): Promise<{ hosts: string[]; ttl: number } | undefined> {
  const settled = await Promise.allSettled([resolver.resolve4(name, { ttl: true }), resolver.resolve6(name, { ttl: true })]);
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  const hard = failures.find((f) => !NO_RECORDS.has(code(f.reason)));
  if (hard) throw hard.reason;
  const records = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
  if (records.length === 0) return undefined;
  return { hosts: records.map((r) => r.address), ttl: Math.min(...records.map((r) => r.ttl)) };
}

async function resolveSrv(resolver: Resolver, name: string): Promise<{ targets: DnsTarget[]; ttl: number } | undefined> {
  let srv;
  try {
    srv = await resolver.resolveSrv(name);
  } catch (e) {
    if (NO_RECORDS.has(code(e))) return undefined;
    throw e;
  }
  const priorities = [...new Set(srv.map((r) => r.priority))].sort((a, b) => a - b);
  for (const p of priorities) {
    const group = srv.filter((r) => r.priority === p);
    const resolved = await Promise.all(group.map(async (r) => ({ r, a: await addresses(resolver, r.name) })));
    const targets = resolved.flatMap(({ r, a }) => (a ? a.hosts.map((h) => target(h, r.port, r.weight)) : []));
    if (targets.length > 0) return { targets, ttl: Math.min(...resolved.flatMap(({ a }) => (a ? [a.ttl] : []))) };
  }
  return { targets: [], ttl: 0 };
}

function sameTargets(a: readonly DnsTarget[], b: readonly DnsTarget[]): boolean {
  return a.length === b.length && a.every((t, i) => t.id === b[i]!.id && t.weight === b[i]!.weight);
}

/** Checks the options; returns the error messages (empty when valid). */
export function checkDnsDiscoveryOptions(o: DnsDiscoveryOptions): string[] {
  const errors: string[] = [];
  if (!NAME.test(o.name)) errors.push(`"${o.name}" is not a DNS name`);
  if (o.mode === 'a' && (!Number.isInteger(o.port) || o.port! < 1 || o.port! > 65535)) errors.push('a port 1-65535 is needed for A/AAAA discovery');
  if (o.mode === 'srv' && !o.name.startsWith('_')) errors.push('an SRV name starts with _service._proto, e.g. _http._tcp.orders.shop.svc.cluster.local');
  const min = o.minTtlMs ?? 1000;
  const max = o.maxTtlMs ?? 300_000;
  if (!(min >= 100 && max >= min)) errors.push('need 100 <= minTtlMs <= maxTtlMs');
  return errors;
}

/** Starts discovery: resolves once (rejecting on invalid options only), then keeps the list fresh. */
export async function startDnsDiscovery(o: DnsDiscoveryOptions): Promise<DnsDiscovery> {
  const errors = checkDnsDiscoveryOptions(o);
  if (errors.length) throw new Error(`DNS discovery of ${o.name}: ${errors.join('; ')}`);
  const resolver = new Resolver({ timeout: o.timeoutMs ?? 2000, tries: 2 });
  if (o.servers?.length) resolver.setServers(o.servers);
  const min = o.minTtlMs ?? 1000;
  const max = o.maxTtlMs ?? 300_000;
  const retry = o.retryMs ?? 5000;
  let current: readonly DnsTarget[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const sorted = (t: DnsTarget[]) => t.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  async function refresh(): Promise<number> {
    let next: DnsTarget[];
    let ttlMs: number;
    try {
      if (o.mode === 'srv') {
        const r = await resolveSrv(resolver, o.name);
        next = r?.targets ?? [];
        ttlMs = (r?.ttl ?? 0) * 1000;
      } else {
        const r = await addresses(resolver, o.name);
        next = r ? r.hosts.map((h) => target(h, o.port!, 1)) : [];
        ttlMs = (r?.ttl ?? 0) * 1000;
      }
    } catch (e) {
      o.onError?.(e as Error);
      return retry;
    }
    next = sorted(next);
    if (!sameTargets(current, next)) {
      current = next;
      o.onChange?.(current);
    }
    return Math.min(max, Math.max(min, ttlMs));
  }
  function schedule(delay: number): void {
    if (closed) return;
    timer = setTimeout(() => {
      void refresh().then(schedule);
    }, delay);
    timer.unref();
  }
  schedule(await refresh());
  return {
    targets: () => current,
    refresh,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      resolver.cancel();
    },
  };
}
