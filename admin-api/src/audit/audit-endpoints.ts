/**
 * The admin audit trail: `GET /api/v1/audit-events` (pages newest first; `read`) and
 * `GET /api/v1/audit-events/export` (CSV or NDJSON streamed oldest first; `logs:read`, as exporting
 * is what the auditor role exists for).
 */
import { z } from 'zod';
import { fileTime, writeExport, type ExportLayout } from '../access-logs/export-stream.js';
import { CursorParam, ExactParam, FormatParam, checkTimeWindow, limitParam, timeWindowShape } from '../access-logs/query-params.js';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import { listAuditEvents, type AuditEvent, type AuditFilter, type Store } from '../store/index.js';
import { streamAuditEvents } from '../store/audit-repo.js';

const filterShape = {
  ...timeWindowShape,
  actor: ExactParam.optional().describe('admin username (or sidecar id) that acted'),
  action: ExactParam.optional().describe('action, e.g. service.create'),
  resourceType: ExactParam.optional().describe('resource type, e.g. service'),
  resourceId: ExactParam.optional().describe('resource id'),
  outcome: z.enum(['allowed', 'denied']).optional().describe('allowed or denied'),
};

const SearchQuery = z.strictObject({ ...filterShape, limit: limitParam(500, 50), cursor: CursorParam }).superRefine(checkTimeWindow);
const ExportQuery = z.strictObject({ ...filterShape, format: FormatParam }).superRefine(checkTimeWindow);

type FilterQuery = z.output<z.ZodObject<typeof filterShape>>;

function toFilter(q: FilterQuery): AuditFilter {
  const f: AuditFilter = {};
  if (q.from !== undefined) f.from = q.from;
  if (q.to !== undefined) f.to = q.to;
  if (q.actor !== undefined) f.actor = q.actor;
  if (q.action !== undefined) f.action = q.action;
  if (q.resourceType !== undefined) f.resourceType = q.resourceType;
  if (q.resourceId !== undefined) f.resourceId = q.resourceId;
  if (q.outcome !== undefined) f.outcome = q.outcome;
  return f;
}

const AuditEventView = z.object({
  id: z.int(),
  at: z.string().describe('ISO 8601'),
  actor: z.string(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  before: z.unknown().describe('the resource before the change (null on create)'),
  after: z.unknown().describe('the resource after the change (null on delete)'),
  outcome: z.enum(['allowed', 'denied']),
});
type AuditEventView = z.infer<typeof AuditEventView>;

/** The API's view of an event: `at` as ISO 8601. */
export const auditEventView = (e: AuditEvent): AuditEventView => ({ ...e, at: new Date(e.at).toISOString() });

const jsonCell = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

/** CSV columns (before/after as JSON text) and NDJSON objects of the export. */
export const AUDIT_EVENT_LAYOUT: ExportLayout<AuditEvent> = {
  header: ['id', 'at', 'actor', 'action', 'resourceType', 'resourceId', 'outcome', 'before', 'after'],
  csv: (e) => [e.id, new Date(e.at).toISOString(), e.actor, e.action, e.resourceType, e.resourceId, e.outcome, jsonCell(e.before), jsonCell(e.after)],
  json: auditEventView,
};

const EXAMPLE: AuditEventView = {
  id: 7,
  at: '2030-01-01T12:00:00.000Z',
  actor: 'admin',
  action: 'service.update',
  resourceType: 'service',
  resourceId: 'orders',
  before: { name: 'orders', description: null },
  after: { name: 'orders', description: 'Order management API' },
  outcome: 'allowed',
};

/** The audit-trail list and export endpoints. */
export function auditEndpoints(deps: { store: Store }): EndpointSpec<never, never, never>[] {
  const tags = ['audit'];
  return [
    endpoint({
      method: 'get',
      path: '/api/v1/audit-events',
      operationId: 'listAuditEvents',
      summary: 'List admin audit events (newest first)',
      tags,
      access: 'read',
      query: SearchQuery,
      responses: {
        200: {
          description: 'a page of events; pass nextCursor as cursor for the next page',
          schema: z.object({ items: z.array(AuditEventView), nextCursor: z.string().nullable() }),
          example: { items: [EXAMPLE], nextCursor: null },
        },
      },
      async handler({ query }) {
        const page = await listAuditEvents(deps.store, toFilter(query), { limit: query.limit, cursor: query.cursor ?? null });
        return { body: { items: page.items.map(auditEventView), nextCursor: page.nextCursor } };
      },
    }),
    endpoint({
      method: 'get',
      path: '/api/v1/audit-events/export',
      operationId: 'exportAuditEvents',
      summary: 'Export admin audit events as CSV or NDJSON (streamed, oldest first)',
      description:
        'A chunked download (Content-Disposition: attachment). CSV follows RFC 4180 with a header row, before/after as JSON text; a text field starting with = + - @ gets a leading \' so spreadsheets do not evaluate it.',
      tags,
      access: 'logs:read',
      query: ExportQuery,
      responses: {
        200: { description: 'the events, streamed: application/x-ndjson (default) or text/csv; charset=utf-8 with format=csv', contentType: 'application/x-ndjson' },
      },
      async handler({ query, res }) {
        const filter = toFilter(query);
        const filename = `audit-events-${filter.from === undefined ? 'start' : fileTime(filter.from)}-${fileTime(filter.to ?? Date.now())}.${query.format}`;
        await writeExport(res, streamAuditEvents(deps.store, filter), query.format, AUDIT_EVENT_LAYOUT, filename);
        return undefined;
      },
    }),
  ] as EndpointSpec<never, never, never>[];
}
