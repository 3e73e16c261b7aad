/**
 * A ChangeNotifier over PostgreSQL LISTEN/NOTIFY (channel `agentcore_bundles`): every admin-api replica on the
 * same database hears every publish. The listening connection is re-opened with jittered back-off when it drops
 * (PostgreSQL restart, backend terminated); announcements sent while it is down are lost, so consumers must also
 * re-check on their own (the long-poll waiters sweep periodically).
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { ChangeNotifier } from './change-notifier.js';

/** The NOTIFY channel. */
export const BUNDLE_CHANNEL = 'agentcore_bundles';

/** A PostgreSQL notifier; `listening` is true while the LISTEN connection is up. */
export interface PostgresChangeNotifier extends ChangeNotifier {
  readonly listening: boolean;
}

const RECONNECT_BASE_MS = 100;
const RECONNECT_MAX_MS = 5_000;

function parsePayload(payload: string | undefined): { service: string; revision: number } | undefined {
  if (payload === undefined) return undefined;
  try {
    const v = JSON.parse(payload) as { service?: unknown; revision?: unknown };
    if (typeof v.service === 'string' && typeof v.revision === 'number' && Number.isInteger(v.revision)) return { service: v.service, revision: v.revision };
  } catch {
    // ignored below
  }
  return undefined;
}

/** The notification handler: parses the payload and calls every subscriber; malformed payloads are logged and dropped. */
function deliverTo(subscribers: ReadonlySet<(service: string, revision: number) => void>, log: Logger): (msg: pg.Notification) => void {
  return (msg) => {
    if (msg.channel !== BUNDLE_CHANNEL) return;
    const p = parsePayload(msg.payload);
    if (!p) {
      log.warn({ payload: msg.payload }, 'ignoring malformed bundle notification');
      return;
    }
    for (const fn of subscribers) fn(p.service, p.revision);
  };
}

/** Opens a client LISTENing on the channel; `onDrop` runs once when it errors or ends (after it is closed). */
async function openListener(connectionString: string, deliver: (msg: pg.Notification) => void, onDrop: (c: pg.Client, err?: Error) => void): Promise<pg.Client> {
  const c = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  c.on('notification', deliver);
  let dropped = false;
  const drop = (err?: Error): void => {
    if (dropped) return;
    dropped = true;
    c.removeAllListeners('notification');
    void c.end().catch(() => {});
    onDrop(c, err);
  };
  c.on('error', drop);
  c.on('end', () => drop());
  try {
    await c.connect();
    await c.query(`LISTEN ${BUNDLE_CHANNEL}`);
  } catch (err) {
    dropped = true;
    c.removeAllListeners();
    c.on('error', () => {});
    await c.end().catch(() => {});
    throw err;
  }
  return c;
}

/** Connects, LISTENs, and keeps listening until `close()`. Fails if the first connection cannot be made. */
export async function createPostgresNotifier(connectionString: string, log: Logger): Promise<PostgresChangeNotifier> {
  const subscribers = new Set<(service: string, revision: number) => void>();
  const sender = new pg.Pool({ connectionString, max: 2, connectionTimeoutMillis: 5_000 });
  sender.on('error', () => {}); // an idle sender dropping is reported by its next query
  let client: pg.Client | undefined;
  let closed = false;
  let listening = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;

  const deliver = deliverTo(subscribers, log);

  const connect = async (): Promise<void> => {
    const c = await openListener(connectionString, deliver, (dropped, err) => {
      listening = false;
      if (client === dropped) client = undefined;
      if (!closed) {
        log.warn({ err }, 'bundle notification connection lost; reconnecting');
        schedule();
      }
    });
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    listening = true;
    attempt = 0;
  };

  const schedule = (): void => {
    if (closed || timer) return;
    const delay = Math.random() * Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempt);
    attempt++;
    timer = setTimeout(() => {
      timer = undefined;
      connect().then(
        () => log.info('bundle notification connection re-established'),
        (err: unknown) => {
          log.warn({ err }, 'cannot re-establish the bundle notification connection');
          schedule();
        },
      );
    }, delay);
  };

  await connect();

  return {
    get listening() {
      return listening;
    },
    async publish(service, revision) {
      await sender.query('select pg_notify($1, $2)', [BUNDLE_CHANNEL, JSON.stringify({ service, revision })]);
    },
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      subscribers.clear();
      const c = client;
      client = undefined;
      listening = false;
      if (c) {
        c.removeAllListeners('end');
        c.removeAllListeners('notification');
        await c.end().catch(() => {});
      }
      await sender.end().catch(() => {});
    },
  };
}
