/** The admin audit trail: list and streaming export endpoints. */
export { auditEndpoints } from './audit-endpoints.js';
export { streamAuditEvents } from '../store/audit-repo.js';
