import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/** Whether a CommonJS file matching `re` is loaded in this process (ESM imports of CJS packages land here too). */
const loaded = (re: RegExp): boolean => Object.keys(createRequire(import.meta.url).cache).some((k) => re.test(k));
const WS = /[\\/]node_modules[\\/]ws[\\/]/;
const UNDICI_INDEX = /[\\/]undici[\\/]index\.js$/;

// Issue #16 (RSS per idle worker): the sidecar's modules load neither `ws` nor undici's index until they are needed —
// a static import of either would silently give back ~8–10 MB per worker.
describe('what the sidecar loads only when it needs it', () => {
  it('the whole sidecar (request path, WebSocket upgrades, events, sync) loads neither ws nor undici’s index', async () => {
    await import('../start-proxy.js');
    await import('./sidecar-parts.js');
    await import('../sync/bundle-sync.js');
    expect(loaded(WS)).toBe(false);
    expect(loaded(UNDICI_INDEX)).toBe(false);
  });

  it('ws loads on the first handshake, once; later ones run synchronously', async () => {
    const { withWs, ws } = await import('../websocket/ws-module.js');
    expect(() => ws()).toThrow(/before withWs/);
    await new Promise<void>((resolve, reject) => withWs(resolve, reject));
    expect(loaded(WS)).toBe(true);
    expect(typeof ws().WebSocketServer).toBe('function');
    let ranAt = 'later';
    withWs(() => (ranAt = 'now'), () => undefined);
    expect(ranAt).toBe('now');
  });
});
