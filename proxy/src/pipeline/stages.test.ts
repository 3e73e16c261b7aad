import { describe, expect, it } from 'vitest';
import { ResponseCache } from '../cache/response-cache.js';
import { MemoryRateLimitStore } from '../rate-limit/rate-limiter.js';
import { requestStages } from './stages.js';

describe('the request path', () => {
  it('is one ordered list: accept, route, cors, authenticate, authorize, rate-limit, events, validate, cache', () => {
    const stages = requestStages({ accept: { trustedHops: 0, tls: false, maxUrlLength: 8192 }, limits: new MemoryRateLimitStore(10), cache: new ResponseCache({ maxBytes: 1024 }) });
    expect(stages.map((s) => s.name)).toEqual(['accept', 'route', 'cors', 'authenticate', 'authorize', 'rate-limit', 'events', 'validate', 'cache']);
  });
});
