/**
 * Access logs for auditors: search (`GET /api/v1/access-logs`, keyset pages newest first) and
 * streaming export (`GET /api/v1/access-logs/export`, CSV or NDJSON, oldest first). Both need
 * `logs:read` (owner, security-admin, auditor).
 */
import { z } from 'zod';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import { searchAccessLogs, streamAccessLogs, type AccessLogFilter, type Store, type StoredAccessLog } from '../store/index.js';
import { fileTime, writeExport, type ExportLayout } from './export-stream.js';
import { CursorParam, ExactParam, FormatParam, checkTimeWindow, limitParam, timeWindowShape } from './query-params.js';

/** `403` → exactly 403; `4xx` → 400..499. */
const StatusParam = z
  .string()
  .regex(/^[1-5](?:\d\d|xx)$/, 'must be an HTTP status (403) or a status class (4xx)')
  .transform((s): Pick<AccessLogFilter, 'status' | 'statusMin' | 'statusMax'> => {
    if (!s.endsWith('xx')) return { status: Number(s) };
    const base = Number(s[0]) * 100;
    return { statusMin: base, statusMax: base + 99 };
  });

/** A reason code: upper-case letters, digits and underscores (MISSING_PERMISSION). */
const REASON_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
/** Most reason codes one filter may name. */
const MAX_REASONS = 20;

/** One or several reason codes: `reason=A,B`, or `reason=A&reason=B`. */
const ReasonParam = z
  .union([z.string(), z.array(z.string()).max(MAX_REASONS)])
  .transform((v, ctx) => {
    const codes = [...new Set((Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()))];
    const bad = codes.filter((c) => !REASON_CODE.test(c));
    if (bad.length > 0) ctx.issues.push({ code: 'custom', input: v, message: `must be reason codes like MISSING_PERMISSION (upper case, digits, _), comma-separated; not ${bad.map((b) => JSON.stringify(b)).join(', ')}` });
    else if (codes.length > MAX_REASONS) ctx.issues.push({ code: 'custom', input: v, message: `at most ${MAX_REASONS} reason codes` });
    return codes;
  });

const filterShape = {
  ...timeWindowShape,
  service: ExactParam.optional().describe('service name'),
  principal: ExactParam.optional().describe('principal id'),
  apiKey: ExactParam.optional().describe('API key id'),
  route: ExactParam.optional().describe('route id'),
  status: StatusParam.optional().describe('HTTP status (403) or status class (4xx)'),
  decision: z.string().regex(/^[a-z_]{1,32}$/, 'must be a decision like allow or deny').optional().describe('the sidecar decision: allow, deny…'),
  reason: ReasonParam.optional().describe('reason code, or several (comma-separated or repeated): records with any of them'),
  requestId: ExactParam.optional().describe('request id'),
};

const SearchQuery = z
  .strictObject({
    ...filterShape,
    limit: limitParam(1000, 100),
    cursor: CursorParam,
    order: z.enum(['desc', 'asc']).default('desc').describe('newest first (desc, default) or oldest first'),
  })
  .superRefine(checkTimeWindow);

const ExportQuery = z.strictObject({ ...filterShape, format: FormatParam }).superRefine(checkTimeWindow);

type FilterQuery = z.output<z.ZodObject<typeof filterShape>>;

function toFilter(q: FilterQuery): AccessLogFilter {
  const f: AccessLogFilter = { ...q.status };
  if (q.from !== undefined) f.from = q.from;
  if (q.to !== undefined) f.to = q.to;
  if (q.service !== undefined) f.service = q.service;
  if (q.principal !== undefined) f.principal = q.principal;
  if (q.apiKey !== undefined) f.apiKeyId = q.apiKey;
  if (q.route !== undefined) f.routeId = q.route;
  if (q.decision !== undefined) f.decision = q.decision;
  if (q.reason !== undefined) f.reasons = q.reason;
  if (q.requestId !== undefined) f.requestId = q.requestId;
  return f;
}

const AccessLogView = z.object({
  id: z.int(),
  at: z.string().describe('ISO 8601'),
  service: z.string(),
  requestId: z.string().nullable(),
  principal: z.string().nullable(),
  apiKeyId: z.string().nullable(),
  routeId: z.string().nullable(),
  method: z.string(),
  path: z.string(),
  status: z.int(),
  decision: z.string(),
  reason: z.string().nullable(),
  client: z.string().nullable(),
  latencyMs: z.number().nullable(),
});
type AccessLogView = z.infer<typeof AccessLogView>;

/** The API's view of a record: `at` as ISO 8601. */
export function accessLogView(r: StoredAccessLog): AccessLogView {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    service: r.service,
    requestId: r.requestId,
    principal: r.principal,
    apiKeyId: r.apiKeyId,
    routeId: r.routeId,
    method: r.method,
    path: r.path,
    status: r.status,
    decision: r.decision,
    reason: r.reason,
    client: r.client,
    latencyMs: r.latencyMs,
  };
}

/** CSV columns and NDJSON objects of the export. */
export const ACCESS_LOG_LAYOUT: ExportLayout<StoredAccessLog> = {
  header: ['id', 'at', 'service', 'requestId', 'principal', 'apiKeyId', 'routeId', 'method', 'path', 'status', 'decision', 'reason', 'client', 'latencyMs'],
  csv: (r) => [r.id, new Date(r.at).toISOString(), r.service, r.requestId, r.principal, r.apiKeyId, r.routeId, r.method, r.path, r.status, r.decision, r.reason, r.client, r.latencyMs],
  json: accessLogView,
};

const EXAMPLE: AccessLogView = {
  id: 42,
  at: '2030-01-01T12:00:00.000Z',
  service: 'orders',
  requestId: 'req-7f3a',
  principal: 'alice',
  apiKeyId: null,
  routeId: 'list-orders',
  method: 'GET',
  path: '/orders',
  status: 403,
  decision: 'deny',
  reason: 'MISSING_PERMISSION',
  client: '10.0.0.7',
  latencyMs: 1.8,
};

/** The access-log search and export endpoints. */
export function accessLogEndpoints(deps: { store: Store }): EndpointSpec<never, never, never>[] {
  const tags = ['access-logs'];
  return [
    endpoint({
      method: 'get',
      path: '/api/v1/access-logs',
      operationId: 'searchAccessLogs',
      summary: 'Search access-decision records (newest first by default)',
      tags,
      access: 'logs:read',
      query: SearchQuery,
      responses: {
        200: {
          description: 'a page of records; pass nextCursor as cursor for the next page',
          schema: z.object({ items: z.array(AccessLogView), nextCursor: z.string().nullable() }),
          example: { items: [EXAMPLE], nextCursor: null },
        },
      },
      async handler({ query }) {
        const page = await searchAccessLogs(deps.store, toFilter(query), { limit: query.limit, cursor: query.cursor ?? null, order: query.order });
        return { body: { items: page.items.map(accessLogView), nextCursor: page.nextCursor } };
      },
    }),
    endpoint({
      method: 'get',
      path: '/api/v1/access-logs/export',
      operationId: 'exportAccessLogs',
      summary: 'Export access-decision records as CSV or NDJSON (streamed, oldest first)',
      description:
        'A chunked download (Content-Disposition: attachment). CSV follows RFC 4180 with a header row; a text field starting with = + - @ gets a leading \' so spreadsheets do not evaluate it. A transfer that ends without the final chunk is incomplete.',
      tags,
      access: 'logs:read',
      query: ExportQuery,
      responses: {
        200: { description: 'the records, streamed: application/x-ndjson (default) or text/csv; charset=utf-8 with format=csv', contentType: 'application/x-ndjson' },
      },
      async handler({ query, res }) {
        const filter = toFilter(query);
        const filename = `access-logs-${filter.from === undefined ? 'start' : fileTime(filter.from)}-${fileTime(filter.to ?? Date.now())}.${query.format}`;
        await writeExport(res, streamAccessLogs(deps.store, filter), query.format, ACCESS_LOG_LAYOUT, filename);
        return undefined;
      },
    }),
  ] as EndpointSpec<never, never, never>[];
}
