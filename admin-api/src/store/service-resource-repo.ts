/**
 * The repository shape shared by a service's policy resources (routes,
 * upstreams, roles, rate limits, JWT issuers): a definition validated by its
 * `@agentcore/policies` schema, keyed by (service, id), versioned for If-Match.
 */
import type { z } from 'zod';
import type { ServiceResourceTable } from './database.js';
import { parseDefinition, readJson } from './definition-validation.js';
import { type ListOptions, type Page, offsetCursor, pageLimit, parseSort } from './list-page.js';
import { toStoreError, withStoreErrors } from './map-driver-error.js';
import { dbOf, type Queryable } from './queryable.js';
import { StoreError } from './store-error.js';

/** Tables holding ServiceResourceTable rows. */
export type ServiceResourceTableName = 'routes' | 'upstreams' | 'roles' | 'rate_limits' | 'jwt_issuers';

/** A stored definition with its key and version. */
export interface StoredResource<T> {
  service: string;
  id: string;
  definition: T;
  createdAt: number;
  updatedAt: number;
  version: number;
}

export interface ServiceResourceFilter {
  /** ids starting with this */
  idPrefix?: string;
}
export type ServiceResourceSortField = 'id' | 'createdAt' | 'updatedAt';

/** CRUD of one kind of service resource. */
export interface ServiceResourceRepo<T> {
  list(q: Queryable, service: string, opts?: ListOptions<ServiceResourceFilter, ServiceResourceSortField>): Promise<Page<StoredResource<T>>>;
  get(q: Queryable, service: string, id: string): Promise<StoredResource<T>>;
  /** `id` is needed only for kinds whose definition carries no id (upstreams); else it must equal the definition's. */
  create(q: Queryable, service: string, definition: unknown, id?: string): Promise<StoredResource<T>>;
  /** Replaces the definition (the id cannot change) if the stored version is `expectedVersion` (undefined = unconditional). */
  update(q: Queryable, service: string, id: string, definition: unknown, expectedVersion: number | undefined): Promise<StoredResource<T>>;
  delete(q: Queryable, service: string, id: string, expectedVersion?: number): Promise<void>;
}

const SORT_COLUMNS = { id: 'id', createdAt: 'created_at', updatedAt: 'updated_at' } as const;

/** How one resource kind is stored and checked. */
export interface ServiceResourceConfig<S extends z.ZodType> {
  table: ServiceResourceTableName;
  /** singular, for messages: "route" */
  noun: string;
  schema: S;
  /** the id inside a definition (route.id, role.name…); absent when the kind is keyed from outside (upstreams) */
  idOf?: (definition: z.output<S>) => string;
  /** name of the id field in the definition, for issue paths */
  idField?: string;
  /** checks an id given from outside (required when idOf is absent) */
  idSchema?: z.ZodType<string>;
}

/** A row as a stored resource (the definition parsed from JSON). */
function toStoredRow<T>(row: ServiceResourceTable): StoredResource<T> {
  return { service: row.service, id: row.id, definition: readJson<T>(row.definition), createdAt: row.created_at, updatedAt: row.updated_at, version: row.version };
}

/** Parses a definition with the kind's schema and settles its id (from the definition, or given from outside). */
function validateDefinition<S extends z.ZodType>(config: ServiceResourceConfig<S>, definition: unknown, id: string | undefined): { id: string; definition: z.output<S> } {
  const parsed = parseDefinition(config.schema, definition, config.noun);
  if (config.idOf) {
    const own = config.idOf(parsed);
    if (id !== undefined && id !== own) {
      throw new StoreError('ADMIN_POLICY_INVALID', `${config.noun} id "${own}" does not match "${id}"`, {
        issues: [{ path: [config.idField ?? 'id'], message: `must be "${id}": the id cannot be changed` }],
      });
    }
    return { id: own, definition: parsed };
  }
  const idCheck = config.idSchema?.safeParse(id);
  if (id === undefined || (idCheck && !idCheck.success)) {
    throw new StoreError('ADMIN_POLICY_INVALID', `invalid ${config.noun} name "${id ?? ''}"`, {
      issues: [{ path: [config.idField ?? 'name'], message: idCheck?.success === false ? (idCheck.error.issues[0]?.message ?? 'invalid') : 'is required' }],
    });
  }
  return { id, definition: parsed };
}

/** One page of a service's resources of one kind (offset cursor). */
async function listResources<T>(q: Queryable, config: { table: ServiceResourceTableName; noun: string }, service: string, opts: ListOptions<ServiceResourceFilter, ServiceResourceSortField>): Promise<Page<StoredResource<T>>> {
  const table = config.table as 'routes'; // all five tables have the same shape
  const limit = pageLimit(opts.limit);
  const offset = offsetCursor.decode(opts.cursor);
  const { field, direction } = parseSort(opts.sort, ['id', 'createdAt', 'updatedAt'], 'id');
  return withStoreErrors(`${config.noun}s of service "${service}"`, async () => {
    let base = dbOf(q).selectFrom(table).where('service', '=', service);
    const prefix = opts.filter?.idPrefix;
    if (prefix) base = base.where('id', '>=', prefix).where('id', '<', `${prefix}\uffff`);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy(SORT_COLUMNS[field], direction).orderBy('id').limit(limit + 1).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.slice(0, limit).map((r) => toStoredRow<T>(r)), total: Number(count.n), nextCursor: rows.length > limit ? offsetCursor.encode(offset + limit) : null };
  });
}

/** Builds the repository of one resource kind. */
export function serviceResourceRepo<S extends z.ZodType>(config: ServiceResourceConfig<S>): ServiceResourceRepo<z.output<S>> {
  type T = z.output<S>;
  // All five tables have the same shape; Kysely is told 'routes' to type the queries.
  const table = config.table as 'routes';
  const label = (service: string, id: string) => `${config.noun} "${id}" of service "${service}"`;

  const validate = (definition: unknown, id: string | undefined) => validateDefinition(config, definition, id);
  const toStored = (row: ServiceResourceTable): StoredResource<T> => toStoredRow<T>(row);

  const get = async (q: Queryable, service: string, id: string): Promise<StoredResource<T>> => {
    const row = await withStoreErrors(label(service, id), () =>
      dbOf(q).selectFrom(table).selectAll().where('service', '=', service).where('id', '=', id).executeTakeFirst(),
    );
    if (!row) throw new StoreError('ADMIN_STORE_NOT_FOUND', `${label(service, id)} does not exist`);
    return toStored(row);
  };

  const missOrStale = async (q: Queryable, service: string, id: string, expectedVersion: number | undefined): Promise<StoreError> => {
    const current = await get(q, service, id);
    return new StoreError('ADMIN_STORE_PRECONDITION_FAILED', `${label(service, id)} is at version ${current.version}, not ${expectedVersion}`);
  };

  return {
    list: (q, service, opts = {}) => listResources<T>(q, config, service, opts),

    get,

    async create(q, service, definition, id) {
      const v = validate(definition, id);
      const now = Date.now();
      const row: ServiceResourceTable = { service, id: v.id, definition: JSON.stringify(v.definition), created_at: now, updated_at: now, version: 1 };
      try {
        await dbOf(q).insertInto(table).values(row).execute();
      } catch (err) {
        const mapped = toStoreError(err, label(service, v.id));
        if (mapped instanceof StoreError && mapped.code === 'ADMIN_STORE_NOT_FOUND') {
          throw new StoreError('ADMIN_STORE_NOT_FOUND', `service "${service}" does not exist`, { cause: err });
        }
        throw mapped;
      }
      return toStored(row);
    },

    async update(q, service, id, definition, expectedVersion) {
      const v = validate(definition, id);
      const db = dbOf(q);
      const row = await withStoreErrors(label(service, id), () => {
        let update = db
          .updateTable(table)
          .set((eb) => ({ definition: JSON.stringify(v.definition), updated_at: Date.now(), version: eb('version', '+', 1) }))
          .where('service', '=', service)
          .where('id', '=', id);
        if (expectedVersion !== undefined) update = update.where('version', '=', expectedVersion);
        return update.returningAll().executeTakeFirst();
      });
      if (!row) throw await missOrStale(q, service, id, expectedVersion);
      return toStored(row);
    },

    async delete(q, service, id, expectedVersion) {
      const db = dbOf(q);
      const result = await withStoreErrors(label(service, id), () => {
        let del = db.deleteFrom(table).where('service', '=', service).where('id', '=', id);
        if (expectedVersion !== undefined) del = del.where('version', '=', expectedVersion);
        return del.executeTakeFirst();
      });
      if (Number(result.numDeletedRows) === 0) throw await missOrStale(q, service, id, expectedVersion);
    },
  };
}
