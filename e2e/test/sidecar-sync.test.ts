// The real sidecar's bundle sync (long-poll, verify, apply) against a real control plane, through the packages'
// built dist only: a change published through the admin API is applied by the running sidecar within 1 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncedSystem, type SyncedSystem } from './support/synced-system.js';

let sys: SyncedSystem;
let sidecar: SyncedSystem['sidecar'];
let seeded: SyncedSystem['seeded'];
let call: SyncedSystem['call'];

beforeAll(async () => {
  sys = await startSyncedSystem('agentcore-sync-');
  sidecar = sys.sidecar;
  seeded = sys.seeded;
  call = sys.call;
});
afterAll(() => sys?.close());

describe('the real sidecar client', () => {
  it('starts from the control plane and applies a published change within 1 s', async () => {
    const first = sidecar.bundleInfo() as { revision: number; hash: string | null; mode: string; control_plane_connected: boolean | null };
    expect(first.mode).toBe('synced');
    expect(first.revision).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100)); // the sidecar's long-poll is waiting now
    const t0 = Date.now();
    await call('POST', '/api/v1/services/agents/routes', { id: 'sync-probe', match: { methods: ['GET'], path: '/sync-probe', kind: 'exact' }, auth: { required: false } });
    const next = await call<{ revision: number; hash: string }>('POST', '/api/v1/services/agents/publish', {});
    expect(next.body.revision).toBeGreaterThan(first.revision);
    while ((sidecar.bundleInfo() as { hash: string | null }).hash !== next.body.hash && Date.now() - t0 < 1000) await new Promise((r) => setTimeout(r, 5));
    const applied = sidecar.bundleInfo() as { revision: number; hash: string | null; control_plane_connected: boolean | null };
    expect(applied.hash).toBe(next.body.hash);
    expect(applied.revision).toBe(next.body.revision);
    expect(applied.control_plane_connected).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('tells the holder of a revoked key that it was revoked; an unknown key stays "not known" (#10)', async () => {
    const key = Object.values(seeded.apiKeys)[0]!;
    const get = (k: string) => fetch(`${sidecar.url}/api/v1/agents`, { headers: { 'x-api-key': k } });
    const message = async (r: Response) => ((await r.json()) as { error: { message: string } }).error.message;
    const ok = await get(key.secret);
    await ok.arrayBuffer();
    expect(ok.status).toBe(200);
    const t0 = Date.now();
    expect((await call('POST', `/api/v1/services/agents/api-keys/${key.id}/revoke`, {})).status).toBe(200);
    let refused: Response | undefined;
    while (Date.now() - t0 < 3000) {
      const r = await get(key.secret);
      if (r.status === 401) {
        refused = r;
        break;
      }
      await r.arrayBuffer();
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(refused?.status).toBe(401);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await message(refused!)).toMatch(/revoked/);
    const unknown = await get(`ak_${'x'.repeat(43)}`);
    expect(unknown.status).toBe(401);
    expect(await message(unknown)).toMatch(/not known/);
  });
});
