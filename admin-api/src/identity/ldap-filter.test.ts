import { describe, expect, it } from 'vitest';
import { escapeFilterValue, fillFilter, firstRdnValue } from './ldap-filter.js';

describe('LDAP filter escaping (RFC 4515)', () => {
  it('escapes the special characters and NUL', () => {
    expect(escapeFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(escapeFilterValue('a\\b')).toBe('a\\5cb');
    expect(escapeFilterValue('x\u0000y')).toBe('x\\00y');
    expect(escapeFilterValue('Zoë Ålund')).toBe('Zoë Ålund');
  });
  it('fills only known placeholders', () => {
    expect(fillFilter('(&(objectClass=person)(uid={username}))', { username: 'a*' })).toBe('(&(objectClass=person)(uid=a\\2a))');
    expect(() => fillFilter('(uid={user})', { username: 'x' })).toThrow(/unknown placeholder/);
  });
  it('reads the first RDN value of a DN', () => {
    expect(firstRdnValue('cn=Platform Team,ou=groups,dc=example,dc=test')).toBe('Platform Team');
    expect(firstRdnValue('CN=Smith\\, John,OU=x')).toBe('Smith, John');
    expect(firstRdnValue('cn=a\\2cb,dc=x')).toBe('a,b');
  });
});
