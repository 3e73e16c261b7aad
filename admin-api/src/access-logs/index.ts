/** Access logs for auditors: search and streaming export endpoints, and retention. */
export { accessLogEndpoints } from './access-log-endpoints.js';
export { startRetention, type Retention, type RetentionDeps } from './retention.js';
export { accessLogIngestEndpoints } from './access-log-ingest.js';
