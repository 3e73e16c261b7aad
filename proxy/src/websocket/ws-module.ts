/**
 * The `ws` library, loaded on the first WebSocket handshake rather than at start: a sidecar that never proxies a
 * WebSocket (most of them) does not carry it (issue #16, RSS per idle worker). `onUpgrade` waits for it once; after
 * that every handshake finds it loaded and runs synchronously as before.
 */
import type * as Ws from 'ws';

export type { WebSocket, WebSocketServer } from 'ws';

let loaded: typeof Ws | undefined;
let loading: Promise<typeof Ws> | undefined;

/** The module once loaded (`loadWs` settled), else undefined. */
export function wsModule(): typeof Ws | undefined {
  return loaded;
}

/** Loads `ws` (once); the module, for callers that must wait for it. */
export function loadWs(): Promise<typeof Ws> {
  return (loading ??= import('ws').then((m) => (loaded = m)));
}

/** The module where it must already be loaded: on the upgrade path, after `onUpgrade` waited for it. */
export function ws(): typeof Ws {
  if (loaded === undefined) throw new Error('ws used before loadWs() settled');
  return loaded;
}
