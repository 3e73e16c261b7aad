import { describe, expect, it } from 'vitest';
import { takeProtocolToken, takeQueryToken } from './websocket-credentials.js';

describe('takeProtocolToken', () => {
  it.each([
    ['no header', undefined, undefined, []],
    ['only the token', 'bearer.abc.def-_x', 'abc.def-_x', []],
    ['token among others', 'chat.v1, bearer.tok, json', 'tok', ['chat.v1', 'json']],
    ['prefix case-insensitive', 'Bearer.tok', 'tok', []],
    ['first token wins, every bearer entry removed', 'bearer.one,bearer.two,x', 'one', ['x']],
    ['no token', 'chat.v1, json', undefined, ['chat.v1', 'json']],
    ['empty entries ignored', ' , chat ,', undefined, ['chat']],
    ['empty token', 'bearer.', '', []],
    ['a protocol merely containing bearer', 'notbearer.x', undefined, ['notbearer.x']],
  ])('%s', (_name, header, token, protocols) => {
    expect(takeProtocolToken(header)).toEqual({ token, protocols });
  });
});

describe('takeQueryToken', () => {
  it.each([
    ['empty query', '', 'access_token', undefined, ''],
    ['absent', 'a=1&b=2', 'access_token', undefined, 'a=1&b=2'],
    ['only param', 'access_token=tok', 'access_token', 'tok', ''],
    ['middle param', 'a=1&access_token=t%2Bk&b=2', 'access_token', 't+k', 'a=1&b=2'],
    ['duplicates all removed, first wins', 'access_token=1&access_token=2&c', 'access_token', '1', 'c'],
    ['encoded name', 'access%5Ftoken=tok', 'access_token', 'tok', ''],
    ['no value', 'access_token', 'access_token', '', ''],
    ['other name configured', 'access_token=x&t=y', 't', 'y', 'access_token=x'],
    ['bad escape kept raw', 'access_token=%zz', 'access_token', '%zz', ''],
  ])('%s', (_name, query, name, token, rest) => {
    expect(takeQueryToken(query, name)).toEqual({ token, query: rest });
  });
});
