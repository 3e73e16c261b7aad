/** Services and their settings (CORS, security headers, logging, limits). */
import { CorsPolicy, Logging, SecurityHeaders, ServiceName } from '@agentcore/policies';
import { z } from 'zod';
import type { ServiceSettingsTable, ServicesTable } from './database.js';
import { parseDefinition, readJson } from './definition-validation.js';
import { type ListOptions, type Page, offsetCursor, pageLimit, parseSort } from './list-page.js';
import { withStoreErrors } from './map-driver-error.js';
import { dbOf, inTransaction, type Queryable } from './queryable.js';
import { StoreError } from './store-error.js';

/** A service as stored; `version` is its ETag. */
export interface Service {
  name: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
  version: number;
}

export interface ServiceFilter {
  /** names starting with this */
  namePrefix?: string;
}
export type ServiceSortField = 'name' | 'createdAt' | 'updatedAt';

const NewService = z.strictObject({ name: ServiceName, description: z.string().max(2000).nullable().optional() });
const ServicePatch = z.strictObject({ description: z.string().max(2000).nullable().optional() });

const SORT_COLUMNS = { name: 'name', createdAt: 'created_at', updatedAt: 'updated_at' } as const;

function toService(row: ServicesTable): Service {
  return { name: row.name, description: row.description, createdAt: row.created_at, updatedAt: row.updated_at, version: row.version };
}

/** Lists services, by name unless sorted otherwise. */
export async function listServices(q: Queryable, opts: ListOptions<ServiceFilter, ServiceSortField> = {}): Promise<Page<Service>> {
  const db = dbOf(q);
  const limit = pageLimit(opts.limit);
  const offset = offsetCursor.decode(opts.cursor);
  const { field, direction } = parseSort(opts.sort, ['name', 'createdAt', 'updatedAt'], 'name');
  return withStoreErrors('listing services', async () => {
    let base = db.selectFrom('services');
    const prefix = opts.filter?.namePrefix;
    if (prefix) base = base.where('name', '>=', prefix).where('name', '<', `${prefix}\uffff`);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy(SORT_COLUMNS[field], direction).orderBy('name').limit(limit + 1).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.slice(0, limit).map(toService),
      total: Number(count.n),
      nextCursor: rows.length > limit ? offsetCursor.encode(offset + limit) : null,
    };
  });
}

/** The service named `name`, or ADMIN_STORE_NOT_FOUND. */
export async function getService(q: Queryable, name: string): Promise<Service> {
  const row = await withStoreErrors(`service "${name}"`, () => dbOf(q).selectFrom('services').selectAll().where('name', '=', name).executeTakeFirst());
  if (!row) throw new StoreError('ADMIN_STORE_NOT_FOUND', `service "${name}" does not exist`);
  return toService(row);
}

/** Creates a service (and its empty settings row); a taken name is ADMIN_STORE_CONFLICT. */
export async function createService(q: Queryable, input: unknown, now = Date.now()): Promise<Service> {
  const data = parseDefinition(NewService, input, 'service');
  const row: ServicesTable = { name: data.name, description: data.description ?? null, created_at: now, updated_at: now, version: 1 };
  await withStoreErrors(`service "${data.name}"`, () =>
    inTransaction(q, async (trx) => {
        await trx.insertInto('services').values(row).execute();
        await trx
          .insertInto('service_settings')
          .values({ service: data.name, cors: null, security_headers: null, logging: null, limits: null, updated_at: now, version: 1 })
          .execute();
      }),
  );
  return toService(row);
}

/** Updates a service's description if its version is `expectedVersion` (undefined = unconditional). */
export async function updateService(q: Queryable, name: string, patch: unknown, expectedVersion: number | undefined, now = Date.now()): Promise<Service> {
  const data = parseDefinition(ServicePatch, patch, 'service patch');
  const db = dbOf(q);
  const row = await withStoreErrors(`service "${name}"`, () => {
    let update = db
      .updateTable('services')
      .set((eb) => ({ updated_at: now, version: eb('version', '+', 1), ...(data.description !== undefined ? { description: data.description } : {}) }))
      .where('name', '=', name);
    if (expectedVersion !== undefined) update = update.where('version', '=', expectedVersion);
    return update.returningAll().executeTakeFirst();
  });
  if (!row) throw await missOrStale(q, name, expectedVersion);
  return toService(row);
}

/** Deletes a service and everything that belongs to it (routes, keys, revisions… cascade). */
export async function deleteService(q: Queryable, name: string, expectedVersion?: number): Promise<void> {
  const db = dbOf(q);
  const result = await withStoreErrors(`service "${name}"`, () => {
    let del = db.deleteFrom('services').where('name', '=', name);
    if (expectedVersion !== undefined) del = del.where('version', '=', expectedVersion);
    return del.executeTakeFirst();
  });
  if (Number(result.numDeletedRows) === 0) throw await missOrStale(q, name, expectedVersion);
}

async function missOrStale(q: Queryable, name: string, expectedVersion: number | undefined): Promise<StoreError> {
  const current = await getService(q, name); // throws NOT_FOUND
  return new StoreError('ADMIN_STORE_PRECONDITION_FAILED', `service "${name}" is at version ${current.version}, not ${expectedVersion}`);
}

// ---------------------------------------------------------------- settings

/** Limits of a service (the bundle's `limits`). */
const Limits = z.strictObject({ maxBodyBytes: z.int().min(0).default(1024 * 1024) });

/** CORS, security headers, logging and limits of a service; null = the bundle default. */
export interface ServiceSettings {
  service: string;
  cors: CorsPolicy | null;
  securityHeaders: z.output<typeof SecurityHeaders> | null;
  logging: z.output<typeof Logging> | null;
  limits: z.output<typeof Limits> | null;
  updatedAt: number;
  version: number;
}

const SettingsPatch = z.strictObject({
  cors: CorsPolicy.nullable().optional(),
  securityHeaders: SecurityHeaders.nullable().optional(),
  logging: Logging.nullable().optional(),
  limits: Limits.nullable().optional(),
});

const jsonOrNull = (text: string | null) => (text === null ? null : readJson(text));
const textOrNull = (value: unknown) => (value === null ? null : JSON.stringify(value));

function toSettings(row: ServiceSettingsTable): ServiceSettings {
  return {
    service: row.service,
    cors: jsonOrNull(row.cors) as CorsPolicy | null,
    securityHeaders: jsonOrNull(row.security_headers) as ServiceSettings['securityHeaders'],
    logging: jsonOrNull(row.logging) as ServiceSettings['logging'],
    limits: jsonOrNull(row.limits) as ServiceSettings['limits'],
    updatedAt: row.updated_at,
    version: row.version,
  };
}

/** The settings of a service, or ADMIN_STORE_NOT_FOUND. */
export async function getServiceSettings(q: Queryable, service: string): Promise<ServiceSettings> {
  const row = await withStoreErrors(`settings of "${service}"`, () =>
    dbOf(q).selectFrom('service_settings').selectAll().where('service', '=', service).executeTakeFirst(),
  );
  if (!row) throw new StoreError('ADMIN_STORE_NOT_FOUND', `service "${service}" does not exist`);
  return toSettings(row);
}

/** Replaces the given settings sections (null clears one), validated by the policies schemas. */
export async function updateServiceSettings(q: Queryable, service: string, patch: unknown, expectedVersion: number | undefined, now = Date.now()): Promise<ServiceSettings> {
  const data = parseDefinition(SettingsPatch, patch, 'service settings');
  const set: Partial<ServiceSettingsTable> = { updated_at: now };
  if (data.cors !== undefined) set.cors = textOrNull(data.cors);
  if (data.securityHeaders !== undefined) set.security_headers = textOrNull(data.securityHeaders);
  if (data.logging !== undefined) set.logging = textOrNull(data.logging);
  if (data.limits !== undefined) set.limits = textOrNull(data.limits);
  const db = dbOf(q);
  const row = await withStoreErrors(`settings of "${service}"`, () => {
    let update = db
      .updateTable('service_settings')
      .set((eb) => ({ ...set, version: eb('version', '+', 1) }))
      .where('service', '=', service);
    if (expectedVersion !== undefined) update = update.where('version', '=', expectedVersion);
    return update.returningAll().executeTakeFirst();
  });
  if (!row) {
    const current = await getServiceSettings(q, service);
    throw new StoreError('ADMIN_STORE_PRECONDITION_FAILED', `settings of "${service}" are at version ${current.version}, not ${expectedVersion}`);
  }
  return toSettings(row);
}
