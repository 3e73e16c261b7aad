/**
 * Message-level checks of the accept stage (issue #9, finding 8): transfer codings other than one final `chunked`
 * (RFC 9112 §6.1 → 501) and an `Expect` other than `100-continue` (RFC 9110 §10.1.1 → 417); `Host` (absent, repeated,
 * malformed) is `host-header.ts`. Each returns the refusal, or undefined to continue.
 */
import { deny, type Respond } from '../pipeline/stage.js';

/** 501 unless `Transfer-Encoding` (all its fields, as Node joins them) is exactly one `chunked`. */
export function transferCodingRefusal(te: string | undefined): Respond | undefined {
  if (te === undefined || te.trim().toLowerCase() === 'chunked') return undefined;
  return deny('TRANSFER_CODING_NOT_IMPLEMENTED', 'only "Transfer-Encoding: chunked" is implemented; send the body with Content-Length or chunked alone');
}

/** 417 for an `Expect` other than `100-continue` (which is answered only after authorisation, see pipeline.ts). */
export function expectationRefusal(expect: string | undefined): Respond | undefined {
  if (expect === undefined || expect.trim().toLowerCase() === '100-continue') return undefined;
  return deny('EXPECTATION_FAILED', 'the only expectation supported is "Expect: 100-continue"');
}
