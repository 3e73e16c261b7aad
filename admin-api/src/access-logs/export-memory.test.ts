import { describe, expect, it } from 'vitest';
import { describeMeasurement, measureNdjsonExport } from './test-export-memory.js';

/** The 1,000,000-record run lives in export-memory-1m.test.ts (AGENTCORE_BIG_TESTS=1). */
const N = 200_000;
const HEAP_BUDGET = 64 * 1024 * 1024;

describe('access-log export memory', () => {
  it(`streams ${N} records as NDJSON with flat memory`, async () => {
    const m = await measureNdjsonExport(N);
    console.info(describeMeasurement(N, m));
    expect(m.lines).toBe(N);
    expect(m.transferEncoding).toBe('chunked');
    expect(m.heapPeak - m.heapBefore).toBeLessThan(HEAP_BUDGET);
  }, 120_000);
});
