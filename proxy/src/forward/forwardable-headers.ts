/**
 * Whether the upstream request's headers can be sent at all, checked before admission: undici refuses (throws
 * `InvalidArgumentError` from `dispatch`) a name that is not an RFC 9110 token, a value with CR, LF, NUL or a
 * character above U+00FF, a second `Host` or `Content-Length`, and the headers it sets itself. Such a request is the
 * client's (or the bundle's) fault: it is answered 400 and never counts toward breaker, outlier or retry state.
 */

/** RFC 9110 §5.6.2 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A field value undici (and Node) accept: tab, visible ASCII, space, obs-text (RFC 9110 §5.5). */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Header names undici refuses in a dispatch (it frames the message itself). */
const REFUSED = new Set(['transfer-encoding', 'keep-alive', 'upgrade', 'expect']);

/**
 * The first header of a flat [name, value, …] list undici would refuse, with why; undefined when all can be sent.
 * Entries before `from` (an even index) are known good; they still count toward the one-Host, one-Content-Length rule.
 */
export function unforwardableHeader(flat: readonly string[], from = 0): { header: string; problem: string } | undefined {
  let host = 0;
  let length = 0;
  for (let i = 0; i < from; i += 2) {
    const name = flat[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') host++;
    else if (name.length === 14 && name.toLowerCase() === 'content-length') length++;
  }
  for (let i = from; i < flat.length; i += 2) {
    const name = flat[i]!;
    const lower = name.toLowerCase();
    const header = name.slice(0, 64);
    if (!TOKEN.test(name)) return { header, problem: 'the header name is not a token' };
    if (!VALUE.test(flat[i + 1]!)) return { header, problem: 'the value holds CR, LF, NUL or a character above U+00FF' };
    if (REFUSED.has(lower)) return { header, problem: 'the header cannot be forwarded' };
    if (lower === 'host' && ++host > 1) return { header, problem: 'more than one Host header' };
    if (lower === 'content-length' && (++length > 1 || !/^[0-9]+$/.test(flat[i + 1]!))) return { header, problem: 'a repeated or non-numeric Content-Length' };
  }
  return undefined;
}
