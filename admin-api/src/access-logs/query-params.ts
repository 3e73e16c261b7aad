/**
 * Query parameters shared by the log endpoints (access logs and the audit trail): a time given as
 * ISO 8601 or epoch ms, the time window check, the page size and the export format.
 */
import { z } from 'zod';

const EPOCH_MS = /^\d{1,15}$/;
/** A date, or a date-time with seconds optional and a mandatory `Z` or `±hh:mm` (no local times). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** An instant as ISO 8601 (`2030-01-01T00:00:00Z`, `2030-01-01`) or epoch ms (`1893456000000`) → epoch ms. */
export const TimeParam = z
  .string()
  .transform((s, ctx) => {
    const ms = EPOCH_MS.test(s) ? Number(s) : ISO_8601.test(s) ? Date.parse(s) : Number.NaN;
    if (Number.isFinite(ms)) return ms;
    ctx.issues.push({ code: 'custom', input: s, message: 'must be an ISO 8601 date-time with Z or an offset (2030-01-01T00:00:00Z), a date, or epoch milliseconds' });
    return z.NEVER;
  })
  .meta({ examples: ['2030-01-01T00:00:00Z', '1893456000000'] });

/** An exact filter value (a name or id). */
export const ExactParam = z.string().min(1).max(256);

/** The time window `from` (inclusive) … `to` (exclusive). */
export const timeWindowShape = {
  from: TimeParam.optional().describe('records at or after this instant (ISO 8601 or epoch ms)'),
  to: TimeParam.optional().describe('records before this instant (ISO 8601 or epoch ms)'),
};

/** Rejects a window whose `to` is not after its `from`, on the `to` field. */
export function checkTimeWindow(q: { from?: number | undefined; to?: number | undefined }, ctx: z.RefinementCtx): void {
  if (q.from !== undefined && q.to !== undefined && q.to <= q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
}

/** `limit` of a search page. */
export const limitParam = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback).describe(`page size, 1..${max} (default ${fallback})`);

/** `cursor` of a search page. */
export const CursorParam = z.string().min(1).max(512).optional().describe('`nextCursor` of the previous page');

/** Export formats and their media types. */
export const EXPORT_FORMATS = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson' } as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

export const FormatParam = z.enum(['csv', 'ndjson']).default('ndjson').describe('csv (RFC 4180, header row) or ndjson (one JSON object per line); default ndjson');
