/**
 * Redirect URIs of OAuth clients (RFC 6749 §3.1.2, RFC 9700 §4.1): registration refuses the shapes
 * other servers shipped as CVEs, and matching is exact string comparison — no prefix, no normalisation,
 * no loopback port leniency.
 */

/** Why a redirect URI cannot be registered, or undefined when it can. */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > 2000) return 'must be at most 2000 characters';
  if (/[\s\\<>"`{}|^]/.test(uri) || [...uri].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return 'must not contain spaces, backslashes or control characters';
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return 'must be an absolute URI';
  }
  if (u.hash !== '' || uri.includes('#')) return 'must not contain a fragment (RFC 6749 §3.1.2)';
  const web = u.protocol === 'https:' || u.protocol === 'http:';
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(uri)?.[1];
  if (web && (authority === undefined || u.hostname === '')) return 'must have an authority (scheme://host)';
  if ((authority ?? '').includes('@') || u.username !== '' || u.password !== '') return 'must not contain userinfo (user@host)';
  if (/\/\.\.?(;[^/?#]*)?(\/|\?|#|$)/.test(uri) || /\.\.;|;\.\.|%2e|%2f|%5c/i.test(uri)) return 'must not contain dot segments, ";" traversal or encoded separators';
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) return 'http is allowed for loopback hosts only; use https';
  if (!web && !/^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(u.protocol)) {
    return 'must be https, http on a loopback host, or a private-use scheme in reverse-domain form (RFC 8252 §7.1)';
  }
  // The parser must not have changed the string: what the client registers is what we compare.
  if (u.href !== uri && `${u.href}` !== `${uri}/`) return `must be in normalised form ("${u.href}")`;
  return undefined;
}

/** Whether the host names this machine's loopback interface. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '::1';
}

/**
 * Whether `presented` is one of the registered redirect URIs: exact, case-sensitive string equality
 * (RFC 9700 §4.1.3). A longer host, another port, an extra path or query never match.
 */
export function redirectUriMatches(registered: readonly string[], presented: string): boolean {
  return registered.includes(presented);
}
