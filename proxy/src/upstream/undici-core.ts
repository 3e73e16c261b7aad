/**
 * undici's `Pool` and `Agent` without undici's index. The index also loads fetch, WebSocket, EventSource, the cache
 * and the mock agents — 132 files, 1.1 MB of source — for code the sidecar never runs: +8.5 MB RSS per process,
 * measured (issue #16, RSS per idle worker). The request API (`request`, used by the health checks and the
 * control-plane client) is put on the Dispatcher prototype exactly as undici's index does; were the index loaded
 * too, it would assign the same functions again. The paths are undici 7's layout (the last major for Node 20);
 * `undici-core.test.ts` pins that these are undici's own classes, so an upgrade that moves them fails a test, not
 * a deployment.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as { prototype: Record<string, unknown> };
if (typeof Dispatcher.prototype.request !== 'function') Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js'));

export const Pool = require('undici/lib/dispatcher/pool.js') as typeof Undici.Pool;
export type Pool = Undici.Pool;
export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export type Agent = Undici.Agent;
