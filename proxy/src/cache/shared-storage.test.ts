import { describe, expect, it } from 'vitest';
import { mayStoreShared } from './shared-storage.js';

const shared = { private: false, vary: [] as string[] };

describe('mayStoreShared (RFC 9111 §3.5)', () => {
  it.each([
    [{ authorization: 'Bearer x' }],
    [{ 'x-api-key': 'k' }],
    [{ 'proxy-authorization': 'Basic x' }],
    [{ cookie: 'session=1' }],
  ])('refuses %j on a shared rule unless the response says public / s-maxage', (headers) => {
    expect(mayStoreShared(headers, undefined, shared, false)).toBe(false);
    expect(mayStoreShared(headers, undefined, shared, true)).toBe(true);
  });
  it('refuses an authenticated principal on a shared rule; a private rule keys it per principal', () => {
    expect(mayStoreShared({}, 'alice', shared, false)).toBe(false);
    expect(mayStoreShared({ 'x-api-key': 'k' }, 'alice', { private: true, vary: [] }, false)).toBe(true);
    expect(mayStoreShared({ 'x-api-key': 'k' }, undefined, { private: true, vary: [] }, false)).toBe(false);
  });
  it('stores a cookie request when the rule varies on Cookie', () => {
    expect(mayStoreShared({ cookie: 'a=1' }, undefined, { private: false, vary: ['Cookie'] }, false)).toBe(true);
  });
  it('stores an anonymous request', () => {
    expect(mayStoreShared({ accept: '*/*' }, undefined, shared, false)).toBe(true);
  });
});
