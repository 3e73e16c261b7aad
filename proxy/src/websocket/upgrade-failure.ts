/** What the client is answered when the backend's WebSocket handshake fails (`ws` client errors). */
import { deny, type Respond } from '../pipeline/stage.js';

const UNEXPECTED_RESPONSE = 'Unexpected server response: ';

/** Maps a failed backend handshake (`ws` client error) to the answer given to the client, with the access-log kind. */
export function upstreamHandshakeFailure(err: Error & { code?: string }): Respond & { kind: string } {
  if (err.message.startsWith(UNEXPECTED_RESPONSE)) {
    return { kind: `upgrade-refused-${err.message.slice(UNEXPECTED_RESPONSE.length)}`, ...deny('WS_UPSTREAM_REFUSED', 'the upstream service refused the WebSocket upgrade') };
  }
  if (err.message === 'Opening handshake has timed out') {
    return { kind: 'timeout', ...deny('UPSTREAM_TIMEOUT', 'the upstream service did not accept the WebSocket upgrade in time; retry later') };
  }
  const kind = err.code === 'ECONNREFUSED' ? 'connect-refused' : err.code === 'ECONNRESET' ? 'connection-reset' : 'upstream-error';
  return { kind, ...deny('UPSTREAM_UNREACHABLE', 'the upstream service could not be reached; retry later') };
}
