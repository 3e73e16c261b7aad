/**
 * The console's saved API contract (admin-ui/src/api/openapi.json, from which its client types are
 * generated) equals the OpenAPI document the admin API serves: the console and the API cannot drift.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig, startAdmin } from '@agentcore/admin-api';

describe("the console's API contract", () => {
  it('is the admin API’s current OpenAPI document (else: npm run gen:api -w admin-ui -- --from <admin URL>)', async () => {
    const c = loadConfig(['--listen', '127.0.0.1:0', '--database', 'sqlite::memory:', '--log-level', 'warn'], {});
    if (!c.ok) throw new Error('bad admin config');
    const admin = await startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: 'correct horse battery staple' }, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
    try {
      const served = (await (await fetch(`${admin.url}/api/v1/openapi.json`)).json()) as unknown;
      const saved = JSON.parse(readFileSync(new URL('../../admin-ui/src/api/openapi.json', import.meta.url), 'utf8')) as unknown;
      expect(served).toEqual(saved);
    } finally {
      await admin.close();
    }
  });
});
