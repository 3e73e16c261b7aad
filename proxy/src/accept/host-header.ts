/**
 * `Host` validation (RFC 9112 §3.2, RFC 3986 §3.2.2): exactly one `Host` on HTTP/1.1 (at most one on HTTP/1.0),
 * whose value is `host [ ":" port ]` with host a DNS-style name, an IPv4 address or a bracketed IPv6 address.
 * Anything else — userinfo, a path, a query, spaces, commas, percent-encoding, unbalanced brackets, an empty or
 * non-numeric port, a port over 65535 — is refused, so the router and the backend can never read different hosts.
 */
import { isIPv6 } from 'node:net';

/** The validated, lower-cased host (undefined for HTTP/1.0 without `Host`), or why it was refused. */
export type HostCheck = { ok: true; host: string | undefined } | { ok: false; reason: 'HOST_MISSING' | 'HOST_REPEATED' | 'HOST_INVALID'; message: string };

/** A reg-name restricted to the characters of DNS names (plus `_`); IPv4 addresses match it too. */
const NAME = /^[a-z0-9_](?:[a-z0-9_.-]{0,252})$/;
const PORT = /^[0-9]{1,5}$/;
const MAX_HOST_LENGTH = 261; // 255 octets of name + ":" + 5 digits

/** Counts `Host` lines among Node's raw headers. */
function hostLines(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') n++;
  }
  return n;
}

const invalid = (message: string): HostCheck => ({ ok: false, reason: 'HOST_INVALID', message });

/** Whether one `Host` value is `host [ ":" port ]` as above (lower-case input). */
function validHostValue(v: string): string | undefined {
  if (v.length === 0) return 'the Host header is empty';
  if (v.length > MAX_HOST_LENGTH) return 'the Host header is too long';
  let rest: string;
  if (v.startsWith('[')) {
    const close = v.indexOf(']');
    if (close === -1) return 'the Host header has an unbalanced "["';
    if (!isIPv6(v.slice(1, close))) return 'the bracketed Host is not an IPv6 address';
    rest = v.slice(close + 1);
  } else {
    const colon = v.indexOf(':');
    const name = colon === -1 ? v : v.slice(0, colon);
    rest = colon === -1 ? '' : v.slice(colon);
    if (!NAME.test(name) || name.includes('..')) return 'the Host header is not a host name or address (no userinfo, path, spaces or brackets)';
  }
  if (rest === '') return undefined;
  if (rest[0] !== ':' || !PORT.test(rest.slice(1)) || Number(rest.slice(1)) > 65535) return 'the port in the Host header is not a number from 0 to 65535';
  return undefined;
}

/** Checks the `Host` header lines of a request. */
export function checkHost(raw: readonly string[], value: string | undefined, httpVersion: string): HostCheck {
  const lines = hostLines(raw);
  if (lines > 1) return { ok: false, reason: 'HOST_REPEATED', message: 'send exactly one Host header' };
  if (lines === 0 || value === undefined) {
    if (httpVersion === '1.0' || httpVersion === '0.9') return { ok: true, host: undefined };
    return { ok: false, reason: 'HOST_MISSING', message: 'an HTTP/1.1 request must carry a Host header' };
  }
  // Most requests repeat the Host of the one before: the last valid value is remembered (one string compare).
  if (value === lastValid.value) return lastValid.check;
  const host = value.toLowerCase();
  const why = validHostValue(host);
  if (why !== undefined) return invalid(why);
  const check: HostCheck = { ok: true, host };
  lastValid = { value, check };
  return check;
}

/** The last `Host` value found valid and its (immutable) answer. */
let lastValid: { value: string; check: HostCheck } = { value: '\u0000', check: { ok: true, host: undefined } };
