/** Access logs for auditors: search, streaming export and live-tail endpoints, and retention. */
export { accessLogEndpoints } from './access-log-endpoints.js';
export { accessLogStatsEndpoints } from './access-log-stats.js';
export { liveTailEndpoints, type LiveTailOptions } from './live-tail.js';
export { startRetention, type Retention, type RetentionDeps } from './retention.js';
export { accessLogIngestEndpoints } from './access-log-ingest.js';
