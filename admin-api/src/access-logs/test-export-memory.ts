/**
 * Test support for the "export of N records keeps memory flat" fault test: fills a fresh store,
 * exports it as NDJSON over HTTP while counting lines without keeping them, and samples the heap
 * and RSS of this process (client and server both) every 100 ms.
 */
import { get as httpGet } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A full-GC function even without --expose-gc (the flag is set at run time; test support only). */
function liveGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
import { fillAccessLogs, startLogsServer } from './test-logs-server.js';

export interface ExportMeasurement {
  lines: number;
  bytes: number;
  transferEncoding: string | undefined;
  fillMs: number;
  exportMs: number;
  heapBefore: number;
  heapPeak: number;
  rssBefore: number;
  rssPeak: number;
}

const MiB = 1024 * 1024;

/** Exports `n` generated records as NDJSON and measures it. */
export async function measureNdjsonExport(n: number): Promise<ExportMeasurement> {
  const srv = await startLogsServer();
  try {
    const fillStart = performance.now();
    await fillAccessLogs(srv.store, n, Date.parse('2030-01-01T00:00:00Z'));
    const fillMs = performance.now() - fillStart;

    // Live heap, not garbage waiting for a collection: a full GC before each heap sample, so a faster
    // export (more short-lived garbage between collections) does not look like growth.
    const gc = liveGc();
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    let heapPeak = heapBefore;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      gc();
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 250);

    const exportStart = performance.now();
    try {
      const result = await new Promise<{ lines: number; bytes: number; transferEncoding: string | undefined }>((resolve, reject) => {
        const req = httpGet(`${srv.base}/api/v1/access-logs/export?format=ndjson`, { headers: { 'x-test-role': 'auditor' } }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`export answered ${res.statusCode}`));
          let lines = 0;
          let bytes = 0;
          let last = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
            last = chunk[chunk.length - 1] ?? last;
          });
          res.on('end', () => (last === 10 ? resolve({ lines, bytes, transferEncoding: res.headers['transfer-encoding'] }) : reject(new Error('export did not end with a newline'))));
          res.on('error', reject);
        });
        req.on('error', reject);
      });
      return { ...result, fillMs, exportMs: performance.now() - exportStart, heapBefore, heapPeak, rssBefore, rssPeak };
    } finally {
      clearInterval(sampler);
    }
  } finally {
    await srv.close();
  }
}

/** One line for the test output. */
export function describeMeasurement(n: number, m: ExportMeasurement): string {
  const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
  return (
    `export of ${n} records: ${m.lines} lines, ${mib(m.bytes)} in ${(m.exportMs / 1000).toFixed(1)} s ` +
    `(fill ${(m.fillMs / 1000).toFixed(1)} s); heap ${mib(m.heapBefore)} → peak ${mib(m.heapPeak)} (+${mib(m.heapPeak - m.heapBefore)}); ` +
    `rss ${mib(m.rssBefore)} → peak ${mib(m.rssPeak)} (+${mib(m.rssPeak - m.rssBefore)})`
  );
}
