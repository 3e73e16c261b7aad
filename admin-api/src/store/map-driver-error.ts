/**
 * Turns better-sqlite3 and pg errors into StoreErrors, so repositories and the
 * API never look at driver-specific codes.
 */
import { StoreError } from './store-error.js';

interface DriverError {
  code?: unknown;
  message?: unknown;
}

const PG_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);

/** The kind of a driver error, or undefined when it is not one the store translates. */
export function classifyDriverError(err: unknown): 'unique' | 'foreign-key' | 'busy' | 'unavailable' | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as DriverError;
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  // better-sqlite3 (extended result codes)
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') return 'unique';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign-key';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code.startsWith('SQLITE_IOERR')) return 'unavailable';
  // PostgreSQL SQLSTATE
  if (code === '23505') return 'unique';
  if (code === '23503') return 'foreign-key';
  if (code === '40001' || code === '40P01' || code === '55P03') return 'busy';
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '3D000' || code === '28000' || code === '28P01') return 'unavailable';
  if (PG_CONNECTION_CODES.has(code)) return 'unavailable';
  if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/i.test(message)) {
    return 'unavailable';
  }
  return undefined;
}

/** Rethrows `err` as a StoreError when it is a known driver failure; `what` names the resource for the message. */
export function toStoreError(err: unknown, what: string): unknown {
  if (err instanceof StoreError) return err;
  switch (classifyDriverError(err)) {
    case 'unique':
      return new StoreError('ADMIN_STORE_CONFLICT', `${what} already exists`, { cause: err });
    case 'foreign-key':
      return new StoreError('ADMIN_STORE_NOT_FOUND', `${what}: a resource it refers to does not exist`, { cause: err });
    case 'busy':
      return new StoreError('ADMIN_STORE_UNAVAILABLE', `database is locked or busy (${what}); retry later`, { cause: err });
    case 'unavailable':
      return new StoreError('ADMIN_STORE_UNAVAILABLE', `database unavailable (${what}): ${describe(err)}`, { cause: err });
    default:
      return err;
  }
}

/** Runs `fn`, translating driver errors (see toStoreError). */
export async function withStoreErrors<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toStoreError(err, what);
  }
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describe(err.errors[0]);
  if (err instanceof Error) return err.message || (err as DriverError).code?.toString() || err.name;
  return String(err);
}
