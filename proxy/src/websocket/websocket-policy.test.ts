import { compileCors } from '../cors/cors-policy.js';
import { describe, expect, it } from 'vitest';
import type { RouteRuntime } from '../bundle/policy-runtime.js';
import { webSocketOriginAllowed, webSocketPolicyOf } from './websocket-policy.js';

const cors = compileCors({ allowOrigins: ['http://app.example'], allowMethods: ['GET'], allowHeaders: [], exposeHeaders: [], allowCredentials: false, maxAgeSeconds: 600 });
const ws = { enabled: true, tokenIn: [], queryParam: 'access_token', maxMessageBytes: 1024, idleTimeoutMs: 1000, maxConnectionsPerClient: 1 };
const route = (websocket: unknown, withCors = true): RouteRuntime => ({ route: { websocket }, cors: withCors ? cors : undefined }) as unknown as RouteRuntime;

describe('webSocketPolicyOf', () => {
  it('is undefined without websocket or when disabled', () => {
    expect(webSocketPolicyOf(route(undefined))).toBeUndefined();
    expect(webSocketPolicyOf(route({ ...ws, enabled: false }))).toBeUndefined();
  });
  it('is compiled once per route runtime', () => {
    const r = route(ws);
    expect(webSocketPolicyOf(r)).toBe(webSocketPolicyOf(r));
  });
});

describe('webSocketOriginAllowed', () => {
  it.each([
    ['no Origin (non-browser client)', ws, true, undefined, true],
    ['absent list → CORS origins: listed', ws, true, 'http://APP.example', true],
    ['absent list → CORS origins: foreign', ws, true, 'https://evil.example', false],
    ['absent list, CORS off → no browser origin', ws, false, 'http://app.example', false],
    ['[] → no browser origin', { ...ws, allowedOrigins: [] }, true, 'http://app.example', false],
    ['explicit list', { ...ws, allowedOrigins: ['https://other.example'] }, true, 'https://other.example', true],
    ['explicit list overrides CORS', { ...ws, allowedOrigins: ['https://other.example'] }, true, 'http://app.example', false],
    ['* → any origin', { ...ws, allowedOrigins: ['*'] }, false, 'https://any.example', true],
  ])('%s', (_name, w, withCors, origin, allowed) => {
    expect(webSocketOriginAllowed(webSocketPolicyOf(route(w, withCors))!, origin)).toBe(allowed);
  });
});
