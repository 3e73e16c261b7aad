/**
 * Which requests' responses a shared cache may store (RFC 9111 §3.5). A request carrying a credential the sidecar
 * understands — `Authorization`, `X-API-Key`, `Proxy-Authorization`, or an authenticated principal — is stored
 * only when the response explicitly allows it (`public` or `s-maxage`) or the rule is `private` and the entry is
 * keyed per principal. `Cookie` follows the same rule (a cookie may be a session the backend reads) unless the
 * rule's `vary` names `cookie`, which keys the entry on the cookie value. Query-string tokens need no rule: the
 * query is part of the key, so only a holder of the same token can be answered with the entry.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** What the rule says about sharing: `private` keys per principal, `vary` lists the request headers keyed on. */
interface SharingRule {
  readonly private: boolean;
  readonly vary: readonly string[];
}

/** Whether the request carries a credential (header or authenticated principal). */
export function carriesCredential(headers: IncomingHttpHeaders, principalId: string | undefined): boolean {
  return principalId !== undefined || headers.authorization !== undefined || headers['x-api-key'] !== undefined || headers['proxy-authorization'] !== undefined;
}

/** Whether a response to this request may be stored, given the response's `public` / `s-maxage`. */
export function mayStoreShared(headers: IncomingHttpHeaders, principalId: string | undefined, rule: SharingRule, explicitlyShared: boolean): boolean {
  if (explicitlyShared) return true;
  if (carriesCredential(headers, principalId) && !(rule.private && principalId !== undefined)) return false;
  if (headers.cookie !== undefined && !rule.vary.some((n) => n.toLowerCase() === 'cookie')) return false;
  return true;
}
