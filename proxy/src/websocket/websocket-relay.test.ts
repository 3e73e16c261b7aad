import { describe, expect, it } from 'vitest';
import { closeCodeForError, forwardedCloseCode } from './websocket-relay.js';

describe('forwardedCloseCode', () => {
  it.each([
    [1000, 1000],
    [1001, 1001],
    [1005, 1000],
    [1006, 1011],
    [1004, 1011],
    [1009, 1009],
    [1015, 1011],
    [2999, 1011],
    [3000, 3000],
    [4000, 4000],
    [5000, 1011],
  ])('%i → %i', (code, sent) => expect(forwardedCloseCode(code)).toBe(sent));
});

describe('closeCodeForError', () => {
  const err = (code?: string): Error & { code?: string } => Object.assign(new Error('x'), code === undefined ? {} : { code });
  it.each([
    ['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009],
    ['WS_ERR_INVALID_UTF8', 1007],
    ['WS_ERR_INVALID_OPCODE', 1002],
    ['ECONNRESET', 1011],
    [undefined, 1011],
  ])('%s → %i', (code, sent) => expect(closeCodeForError(err(code))).toBe(sent));
});
