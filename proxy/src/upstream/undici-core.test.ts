import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Agent, Pool } from './undici-core.js';

const undiciIndexLoaded = (): boolean => Object.keys(createRequire(import.meta.url).cache).some((k) => /[\\/]undici[\\/]index\.js$/.test(k));

describe('undici Pool loaded without the index', () => {
  it('forwards and serves the request API (health checks) without loading undici’s index', async () => {
    expect(undiciIndexLoaded()).toBe(false);
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 1 });
    try {
      const res = await pool.request({ path: '/', method: 'GET' });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('ok');
      expect(undiciIndexLoaded()).toBe(false);
    } finally {
      await pool.close();
      server.close();
    }
  });

  it('is undici’s own Pool class (an upgrade that moves the file fails here)', async () => {
    const undici = await import('undici');
    expect(Pool).toBe(undici.Pool);
    expect(Agent).toBe(undici.Agent);
    expect(typeof (Pool.prototype as unknown as Record<string, unknown>).request).toBe('function');
  });
});
