/** The admin audit trail: list and streaming export endpoints. */
export { auditEndpoints } from './audit-endpoints.js';
export { streamAuditEvents } from './audit-event-stream.js';
