/** Extracts the consistent-hash key of a request from `Upstream.loadBalancing.hashOn`. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Upstream } from '@agentcore/policies';

/** The `hashOn` setting of an upstream. */
export type HashOn = NonNullable<Upstream['loadBalancing']['hashOn']>;

/** What the hash key may be taken from. */
export interface HashSource {
  headers: IncomingHttpHeaders;
  clientAddress: string;
  principalId?: string | undefined;
}

/** Returns the key, or undefined when the request lacks it (the balancer then picks by weight). */
export type HashKeyOf = (req: HashSource) => string | undefined;

const none: HashKeyOf = () => undefined;

/** Builds the key extractor once per bundle load (the header name is lower-cased here, not per request). */
export function hashKeyExtractor(hashOn: HashOn | undefined): HashKeyOf {
  if (!hashOn) return none;
  switch (hashOn.type) {
    case 'header': {
      const name = hashOn.name.toLowerCase();
      return (req) => {
        const v = req.headers[name];
        if (v === undefined || v === '') return undefined;
        return typeof v === 'string' ? v : v.join(',');
      };
    }
    case 'cookie': {
      const name = hashOn.name;
      return (req) => cookieValue(req.headers.cookie, name);
    }
    case 'client-address':
      return (req) => req.clientAddress;
    case 'principal':
      return (req) => req.principalId;
  }
}

/** The value of cookie `name` in a `Cookie` header (RFC 6265 §5.4: `a=1; b=2`), or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  let i = 0;
  while (i < header.length) {
    while (header.charCodeAt(i) === 32) i++; // spaces after ';'
    let end = header.indexOf(';', i);
    if (end < 0) end = header.length;
    const eq = header.indexOf('=', i);
    if (eq > 0 && eq < end && eq - i === name.length && header.startsWith(name, i)) {
      const v = header.slice(eq + 1, end).trim();
      return v === '' ? undefined : v;
    }
    i = end + 1;
  }
  return undefined;
}
