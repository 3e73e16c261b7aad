import { describe, expect, it } from 'vitest';
import { redirectUriMatches, redirectUriProblem } from './oauth-redirect-uri.js';

describe('redirectUriProblem', () => {
  it.each([
    ['https://app.example.com/cb', undefined],
    ['https://app.example.com/cb?x=1', undefined],
    ['http://127.0.0.1:8080/cb', undefined],
    ['http://localhost:3000/callback', undefined],
    ['com.example.app:/oauth2redirect', undefined],
  ])('accepts %s', (uri, want) => expect(redirectUriProblem(uri)).toBe(want));

  it.each([
    ['relative', '/cb', 'absolute'],
    ['fragment', 'https://app.example.com/cb#x', 'fragment'],
    ['userinfo', 'https://user@app.example.com/cb', 'userinfo'],
    ['several @', 'https://app.example.com@evil.test@app.example.com/cb', 'userinfo'],
    ['..;/', 'https://app.example.com/cb/..;/admin', 'traversal'],
    ['dot segment', 'https://app.example.com/a/../cb', 'dot segments'],
    ['encoded traversal', 'https://app.example.com/cb/%2e%2e/admin', 'encoded'],
    ['encoded slash', 'https://app.example.com/cb%2fx', 'encoded'],
    ['http non-loopback', 'http://app.example.com/cb', 'loopback'],
    ['javascript', 'javascript:alert(1)', 'private-use'],
    ['backslash', 'https://app.example.com\\@evil.test/', 'backslash'],
    ['not normalised', 'HTTPS://App.Example.com/cb', 'normalised'],
  ])('refuses %s', (_name, uri, fragment) => expect(redirectUriProblem(uri)).toContain(fragment));
});

describe('redirectUriMatches', () => {
  const registered = ['https://app.example.com/cb', 'http://localhost:3000/cb'];
  it.each([
    ['exact', 'https://app.example.com/cb', true],
    ['extra path', 'https://app.example.com/cb/more', false],
    ['extra query', 'https://app.example.com/cb?x=1', false],
    ['prefix host', 'https://app.example.com.evil.test/cb', false],
    ['userinfo', 'https://app.example.com@evil.test/cb', false],
    ['localhost other port', 'http://localhost:3001/cb', false],
    ['trailing slash', 'https://app.example.com/cb/', false],
    ['case', 'https://APP.example.com/cb', false],
    ['encoded', 'https://app.example.com/%63b', false],
  ])('%s', (_n, uri, want) => expect(redirectUriMatches(registered, uri)).toBe(want));
});
