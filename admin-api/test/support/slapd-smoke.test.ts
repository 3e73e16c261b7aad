import { Client } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { READER_DN, READER_PASSWORD, startSlapd } from './slapd.js';

describe('slapd harness', () => {
  it('serves the fixture with memberOf over ldap and ldaps', async () => {
    const s = await startSlapd();
    try {
      const c = new Client({ url: s.ldapsUrl, tlsOptions: { ca: [s.caPem] } });
      await c.bind(READER_DN, READER_PASSWORD);
      const r = await c.search('ou=people,dc=example,dc=test', { filter: '(uid=alice)', attributes: ['memberOf', 'cn'] });
      await c.unbind();
      expect(r.searchEntries[0]?.memberOf).toEqual(expect.arrayContaining(['cn=platform,ou=groups,dc=example,dc=test']));
    } finally {
      await s.dispose();
    }
  }, 30000);
});
