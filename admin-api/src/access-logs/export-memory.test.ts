import { describe, expect, it } from 'vitest';
import { describeMeasurement, measureNdjsonExport } from './test-export-memory.js';

/** The fault test of the control-plane issue: an export of 1,000,000 records keeps memory flat. */
const N = 1_000_000;
/** live heap (sampled after a full GC) may grow this much at most while 260 MiB stream out */
const HEAP_BUDGET = 16 * 1024 * 1024;

describe('access-log export memory', () => {
  it(`streams ${N} records as NDJSON with flat memory`, async () => {
    const m = await measureNdjsonExport(N);
    console.info(describeMeasurement(N, m));
    expect(m.lines).toBe(N);
    expect(m.transferEncoding).toBe('chunked');
    expect(m.heapPeak - m.heapBefore).toBeLessThan(HEAP_BUDGET);
  }, 240_000);
});
