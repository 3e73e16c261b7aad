/**
 * The `ws` library, loaded on the first WebSocket handshake rather than at start: a sidecar that never proxies a
 * WebSocket (most of them) does not carry it (issue #16, RSS per idle worker). The first handshake waits for it;
 * after that every handshake finds it loaded and runs synchronously as before.
 */
import type * as Ws from 'ws';

export type { WebSocket, WebSocketServer } from 'ws';

let loaded: typeof Ws | undefined;
let loading: Promise<typeof Ws> | undefined;

/** Calls `then` once `ws` is loaded: at once when it is, else after loading it (once); `failed` if it cannot load. */
export function withWs(then: () => void, failed: (err: unknown) => void): void {
  if (loaded !== undefined) then();
  else void (loading ??= import('ws').then((m) => (loaded = m))).then(then, failed);
}

/** The module, on the paths `withWs` led to. */
export function ws(): typeof Ws {
  if (loaded === undefined) throw new Error('ws used before withWs() loaded it');
  return loaded;
}
