// The owner-password rules on a real store: the start-up warning says whether AGENTCORE_ADMIN_PASSWORD matches, and
// the reset refuses what it cannot do with a clear message, else changes the hash, ends the sessions and audits.
// (test/owner-password.test.ts runs the same through the built binary.)
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminError } from '../errors.js';
import { findSession, getAdminUser, insertAdminUser, insertSession } from '../store/admin-accounts-repo.js';
import { listAuditEvents, openStore, type Store } from '../store/index.js';
import { createTestDatabase, type TestDatabase } from '../store/test-databases.js';
import { OWNER_USERNAME, resetOwnerPassword, warnIgnoredOwnerPassword } from './owner-password.js';
import { hashPassword, verifyPassword } from './password-hash.js';

const FIRST = 'the first password 123';
const SECOND = 'the second password 456';
let db: TestDatabase;
let store: Store;

function capture(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const log: Logger = pino({ level: 'warn' }, new Writable({ write: (c, _e, cb) => (out.push(String(c)), cb()) }));
  return { log, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

beforeAll(async () => {
  db = await createTestDatabase('sqlite');
  store = await openStore(db.url);
});
afterAll(async () => {
  await store.close();
  await db.drop();
});

describe('owner password', () => {
  it('refuses a reset without a password, with a short one, or without an owner account', async () => {
    for (const [password, message] of [
      [undefined, 'set the new password in AGENTCORE_ADMIN_PASSWORD'],
      ['', 'set the new password in AGENTCORE_ADMIN_PASSWORD'],
      ['short', 'at least'],
      [SECOND, 'there is no admin account "admin"'],
    ] as const) {
      const err = await resetOwnerPassword(store, password).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdminError);
      expect((err as AdminError).code).toBe('ADMIN_CONFIG_INVALID');
      expect((err as AdminError).message).toContain(message);
    }
  });

  it('warns that the variable is ignored, saying whether it matches (and when there is no owner at all)', async () => {
    const none = capture();
    await warnIgnoredOwnerPassword(store, FIRST, none.log);
    expect(none.lines()[0]).toMatchObject({ matches: false });

    await insertAdminUser(store, { username: OWNER_USERNAME, passwordHash: await hashPassword(FIRST), role: 'owner' }, Date.now());
    const same = capture();
    await warnIgnoredOwnerPassword(store, FIRST, same.log);
    expect(same.lines()[0]).toMatchObject({ matches: true, username: 'admin' });
    expect(String(same.lines()[0]!.msg)).toContain('it matches the current one');
    const other = capture();
    await warnIgnoredOwnerPassword(store, 'not the password at all', other.log);
    expect(other.lines()[0]).toMatchObject({ matches: false });
    expect(String(other.lines()[0]!.msg)).toContain('reset-owner-password');
    expect(JSON.stringify(other.lines())).not.toContain('not the password at all');
  });

  it('resets: the new password verifies, the old one does not, the sessions end, the change is audited', async () => {
    const now = Date.now();
    await insertSession(store, { idHash: 'session-hash-1', username: OWNER_USERNAME, csrfHash: 'csrf-hash', expiresAt: now + 60_000 }, now);
    expect(await findSession(store, 'session-hash-1', now)).toBeDefined();

    await resetOwnerPassword(store, SECOND, now);
    const owner = (await getAdminUser(store, OWNER_USERNAME))!;
    expect(await verifyPassword(SECOND, owner.password_hash)).toBe(true);
    expect(await verifyPassword(FIRST, owner.password_hash)).toBe(false);
    expect(await findSession(store, 'session-hash-1', now)).toBeUndefined();
    const audit = await listAuditEvents(store, { action: 'admin-user.reset-password' });
    expect(audit.items[0]).toMatchObject({ actor: 'system:cli', resourceId: 'admin', outcome: 'allowed' });
    expect(JSON.stringify(audit.items[0])).not.toContain(SECOND);
  });
});
