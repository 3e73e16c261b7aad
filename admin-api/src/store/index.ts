/** The control plane's store: open it, then use the repositories. */
export * from './store-error.js';
export * from './open-store.js';
export type * from './database.js';
export type { Dialect } from './migrations.js';
export type { Queryable } from './queryable.js';
export type { ListOptions, Page, SortSpec } from './list-page.js';
export * from './services-repo.js';
export type { StoredResource, ServiceResourceRepo, ServiceResourceFilter, ServiceResourceSortField } from './service-resource-repo.js';
export * from './routes-repo.js';
export * from './api-keys-repo.js';
export * from './audit-repo.js';
export * from './bundle-revisions-repo.js';
export * from './access-logs-repo.js';
export * from './bundle-source-repo.js';
export * from './bundle-status-repo.js';
export * from './access-log-record.js';
export * from './access-log-rollup.js';
export { sumRollups, type RollupQuery, type RollupSum, type ReasonSum } from './access-log-rollups-repo.js';
