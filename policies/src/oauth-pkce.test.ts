import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkPkceVerifier, pkceChallengeProblem } from './oauth-pkce.js';

const s256 = (v: string): string => createHash('sha256').update(v, 'ascii').digest('base64url');
const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const challenge = s256(verifier);

describe('PKCE', () => {
  it('RFC 7636 appendix B example', () => expect(challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'));
  it.each([
    [challenge, 'S256', undefined],
    [undefined, undefined, 'required'],
    [challenge, undefined, 'S256'],
    [challenge, 'plain', 'plain is not allowed'],
    ['short', 'S256', '43 characters'],
  ])('challenge %s %s', (c, m, want) => {
    const p = pkceChallengeProblem(c, m);
    if (want === undefined) expect(p).toBeUndefined();
    else expect(p).toContain(want);
  });
  it.each([
    [verifier, { ok: true }],
    [undefined, { ok: false, reason: 'MISSING_VERIFIER' }],
    ['', { ok: false, reason: 'MISSING_VERIFIER' }],
    ['too-short', { ok: false, reason: 'MALFORMED_VERIFIER' }],
    [`${verifier}x`, { ok: false, reason: 'MISMATCH' }],
    [challenge, { ok: false, reason: 'MISMATCH' }],
  ])('verifier %s', (v, want) => expect(checkPkceVerifier(challenge, v, s256)).toEqual(want));
});
