/**
 * Streams an export (CSV or NDJSON) to the client as a chunked download without holding the
 * result: rows are pulled from an async iterator one at a time, written in ~64 KiB chunks, and the
 * next row is only pulled once the socket has accepted the previous chunk (`drain`). When the
 * client goes away the iterator is closed (`return()`), so no database iteration outlives the
 * request. A failure before the first byte is a normal error response; a failure after the
 * headers went out is rethrown, and the app's error handler logs it and destroys the response,
 * so the client sees a truncated transfer rather than a complete-looking file.
 */
import type { Response } from 'express';
import { csvRow, type CsvValue } from './csv-field.js';
import { EXPORT_FORMATS, type ExportFormat } from './query-params.js';

/** How one kind of row is exported: CSV columns (header row first) and the NDJSON object. */
export interface ExportLayout<T> {
  header: readonly string[];
  csv(row: T): CsvValue[];
  json(row: T): unknown;
}

/** Bytes buffered before a write: big enough to keep the per-chunk overhead low, small enough to stay flat. */
const FLUSH_AT = 64 * 1024;

/** `2030-01-01T00:00:00.000Z` → `20300101T000000Z`, safe in a file name. */
export function fileTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** `Content-Disposition` of a download (the name is ASCII by construction). */
export const attachment = (filename: string): string => `attachment; filename="${filename}"`;

/** Resolves true once `res` drained, false if it closed first. */
function drained(res: Response): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/**
 * Writes `rows` to `res` in `format`; resolves when everything was sent or the client left.
 * Returns the number of rows written.
 */
export async function writeExport<T>(res: Response, rows: AsyncIterable<T>, format: ExportFormat, layout: ExportLayout<T>, filename: string): Promise<number> {
  const it = rows[Symbol.asyncIterator]();
  let closed = false;
  const onClose = () => {
    closed = true;
  };
  res.once('close', onClose);
  let written = 0;
  try {
    // Pull the first row before committing to 200: a store that is down still gets a proper error body.
    let next = await it.next();
    if (closed || res.destroyed) return 0;
    res.status(200);
    res.setHeader('content-type', EXPORT_FORMATS[format]);
    res.setHeader('content-disposition', attachment(filename));
    let buffer = format === 'csv' ? csvRow(layout.header) : '';
    while (!next.done) {
      buffer += format === 'csv' ? csvRow(layout.csv(next.value)) : `${JSON.stringify(layout.json(next.value))}\n`;
      written++;
      if (buffer.length >= FLUSH_AT) {
        const ok = res.write(buffer);
        buffer = '';
        if (!ok && !(await drained(res))) return written;
      }
      if (closed || res.destroyed) return written;
      next = await it.next();
    }
    if (closed || res.destroyed) return written;
    res.end(buffer);
    return written;
  } finally {
    res.off('close', onClose);
    // Closes the source (a generator runs its cleanup) unless it ran to the end.
    await it.return?.();
  }
}
