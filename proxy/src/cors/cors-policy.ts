/** CORS (Fetch standard §3.2, the CORS protocol), compiled once per route. */
import type { CorsPolicy } from '@agentcore/policies';

export interface CompiledCors {
  readonly anyOrigin: boolean;
  readonly origins: ReadonlySet<string>;
  readonly allowCredentials: boolean;
  readonly allowMethods: ReadonlySet<string>;
  readonly allowMethodsValue: string;
  readonly allowHeaders: ReadonlySet<string>;
  readonly allowHeadersValue: string;
  readonly exposeHeadersValue: string;
  readonly maxAgeValue: string;
}

export function compileCors(p: CorsPolicy | undefined | false): CompiledCors | undefined {
  if (!p) return undefined;
  return {
    anyOrigin: p.allowOrigins.includes('*'),
    origins: new Set(p.allowOrigins.filter((o) => o !== '*').map((o) => o.toLowerCase())),
    allowCredentials: p.allowCredentials,
    allowMethods: new Set(p.allowMethods),
    allowMethodsValue: p.allowMethods.join(', '),
    allowHeaders: new Set(p.allowHeaders.map((h) => h.toLowerCase())),
    allowHeadersValue: p.allowHeaders.join(', '),
    exposeHeadersValue: p.exposeHeaders.join(', '),
    maxAgeValue: String(p.maxAgeSeconds),
  };
}

/** Whether `origin` may read responses. */
export function originAllowed(c: CompiledCors, origin: string): boolean {
  return c.anyOrigin || c.origins.has(origin.toLowerCase());
}

/** Headers for an actual (non-preflight) response to an allowed origin, appended to `out`. */
export function appendCorsResponseHeaders(c: CompiledCors, origin: string, out: string[]): void {
  if (c.anyOrigin && !c.allowCredentials) out.push('access-control-allow-origin', '*');
  else out.push('access-control-allow-origin', origin, 'vary', 'Origin');
  if (c.allowCredentials) out.push('access-control-allow-credentials', 'true');
  if (c.exposeHeadersValue) out.push('access-control-expose-headers', c.exposeHeadersValue);
}

export type PreflightResult = { ok: true; headers: string[] } | { ok: false; why: string };

/** Answers a preflight: the origin, the requested method and every requested header must be allowed. */
export function preflight(c: CompiledCors, origin: string, requestMethod: string, requestHeaders: string | undefined): PreflightResult {
  if (!originAllowed(c, origin)) return { ok: false, why: `origin ${origin} is not allowed` };
  if (!c.allowMethods.has(requestMethod)) return { ok: false, why: `method ${requestMethod} is not allowed by CORS` };
  if (requestHeaders) {
    for (const raw of requestHeaders.split(',')) {
      const h = raw.trim().toLowerCase();
      if (h !== '' && !c.allowHeaders.has(h)) return { ok: false, why: `request header ${h} is not allowed by CORS` };
    }
  }
  const headers: string[] = [];
  appendCorsResponseHeaders(c, origin, headers);
  headers.push(
    'access-control-allow-methods',
    c.allowMethodsValue,
    'access-control-allow-headers',
    c.allowHeadersValue,
    'access-control-max-age',
    c.maxAgeValue,
  );
  if (!c.anyOrigin || c.allowCredentials) headers.push('vary', 'Access-Control-Request-Method, Access-Control-Request-Headers');
  return { ok: true, headers };
}
