/**
 * Event topics: names, patterns, matching and the per-topic authorisation rule (docs/events.md § Topics).
 *
 * A topic is `/`-separated segments of `A-Z a-z 0-9 . _ ~ : @ -` (1-256 characters, at most 16 segments):
 * `agents/a-17`, `workflows/w-9/runs`. A pattern may use, per segment:
 * - `{name}`: one segment, captured as a parameter (rules only, for ownership);
 * - `*`: one segment, not captured;
 * - `**`: one or more segments, only as the last segment.
 * A client subscription filter is a topic or a pattern without `{name}`. Pure: no I/O, no clock.
 */

const SEGMENT_RE = /^[A-Za-z0-9._~:@-]+$/;
const PARAM_RE = /^\{([A-Za-z][A-Za-z0-9_]{0,31})\}$/;
/** The longest topic or pattern, in characters. */
export const MAX_TOPIC_LENGTH = 256;
/** The most segments a topic or pattern may have. */
export const MAX_TOPIC_SEGMENTS = 16;

/** One segment of a compiled pattern. */
export type TopicSegment =
  | { kind: 'literal'; value: string }
  /** one segment, captured under `name` */
  | { kind: 'param'; name: string }
  /** `*`: one segment */
  | { kind: 'one' }
  /** `**`: one or more segments (last only) */
  | { kind: 'rest' };

/** A pattern parsed once (at bundle load or at subscribe time) and matched many times. */
export interface TopicPattern {
  source: string;
  segments: readonly TopicSegment[];
  /** no wildcard and no parameter: the pattern names one topic */
  exact: boolean;
}

/** The result of parsing a topic or pattern: a compiled pattern, or why the text is not one. */
export type TopicParse = { ok: true; pattern: TopicPattern } | { ok: false; message: string };

function parseSegments(text: string, allowParams: boolean): TopicParse {
  if (text.length === 0 || text.length > MAX_TOPIC_LENGTH) return { ok: false, message: `must be 1-${MAX_TOPIC_LENGTH} characters` };
  const parts = text.split('/');
  if (parts.length > MAX_TOPIC_SEGMENTS) return { ok: false, message: `must have at most ${MAX_TOPIC_SEGMENTS} segments` };
  const segments: TopicSegment[] = [];
  const names = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === '**') {
      if (i !== parts.length - 1) return { ok: false, message: '"**" may only be the last segment' };
      segments.push({ kind: 'rest' });
    } else if (part === '*') segments.push({ kind: 'one' });
    else if (PARAM_RE.test(part)) {
      if (!allowParams) return { ok: false, message: `"${part}": parameters are for rules; subscribe with "*" instead` };
      const name = (PARAM_RE.exec(part) as RegExpExecArray)[1] as string;
      if (names.has(name)) return { ok: false, message: `parameter "${name}" appears twice` };
      names.add(name);
      segments.push({ kind: 'param', name });
    } else if (SEGMENT_RE.test(part)) segments.push({ kind: 'literal', value: part });
    else return { ok: false, message: `segment "${part}" must be 1+ of A-Z a-z 0-9 . _ ~ : @ -, or "*", "**"${allowParams ? ', "{name}"' : ''}` };
  }
  return { ok: true, pattern: { source: text, segments, exact: segments.every((s) => s.kind === 'literal') } };
}

/** Parses a rule pattern (`agents/{id}`, `workflows/*\/runs`, `agents/**`). */
export function parseTopicPattern(text: string): TopicParse {
  return parseSegments(text, true);
}

/** Parses a client subscription filter: a topic or a pattern with `*`/`**` but no `{name}`. */
export function parseTopicFilter(text: string): TopicParse {
  return parseSegments(text, false);
}

/** Whether `text` is a concrete topic (what an event is published to): no wildcard, no parameter. */
export function isValidTopic(text: string): boolean {
  const parsed = parseSegments(text, false);
  return parsed.ok && parsed.pattern.exact;
}

/**
 * Matches a concrete topic against a pattern: the captured parameters, or undefined when it does not match.
 * The topic is assumed valid (check with `isValidTopic` where it comes from outside).
 */
export function matchTopic(pattern: TopicPattern, topic: string): Record<string, string> | undefined {
  const parts = topic.split('/');
  const segs = pattern.segments;
  const params: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as TopicSegment;
    if (seg.kind === 'rest') return parts.length > i ? params : undefined;
    if (i >= parts.length) return undefined;
    const part = parts[i] as string;
    if (seg.kind === 'literal' && seg.value !== part) return undefined;
    if (seg.kind === 'param') params[seg.name] = part;
  }
  return parts.length === segs.length ? params : undefined;
}

/** Whether every topic `inner` matches is also matched by `outer` (a subscription filter inside a rule pattern). */
export function patternCovers(outer: TopicPattern, inner: TopicPattern): boolean {
  const o = outer.segments;
  const n = inner.segments;
  for (let i = 0; i < n.length; i++) {
    const os = o[i];
    const ns = n[i] as TopicSegment;
    if (os === undefined) return false;
    if (os.kind === 'rest') return true;
    if (ns.kind === 'rest') return false;
    if (os.kind === 'literal' && (ns.kind !== 'literal' || ns.value !== os.value)) return false;
  }
  return o.length === n.length;
}

/** One topic rule of an event-stream route, as in the bundle (`routes[].events.topics[]`). */
export interface TopicRuleInput {
  pattern: string;
  /** reading every topic the pattern matches needs this permission */
  permission?: string | undefined;
  /** owner access: with `permission`, a principal reads only what it owns */
  owner?: { permission: string; param?: string | undefined } | undefined;
}

/** A topic rule compiled once per bundle. */
export interface CompiledTopicRule extends TopicRuleInput {
  compiled: TopicPattern;
}

/** Who subscribes, as far as the rule needs it. */
export interface TopicPrincipal {
  id: string;
  roles: readonly string[];
}

/** What an event carries that the rule may read. */
export interface TopicEventClaims {
  topic: string;
  /** the principal id that owns the event */
  owner?: string | undefined;
  /** principal ids (or `role:<name>`) allowed to see the event; absent = everyone the topic rule allows */
  audience?: readonly string[] | undefined;
}

/** Why a subscription or an event is refused. */
export type TopicDenyReason = 'NO_RULE' | 'MISSING_PERMISSION' | 'NOT_OWNER' | 'NOT_AUDIENCE';

/**
 * The decision for a subscription or an event. `scope` `owned` means the subscription is allowed but each event is
 * delivered only when the principal owns it (by the topic parameter or the event's owner claim).
 */
export type TopicDecision =
  | { allow: true; scope: 'all' | 'owned' }
  | { allow: false; reason: TopicDenyReason; message: string };

/** Compiles the topic rules of a route; throws on an invalid pattern (the bundle schema has rejected it already). */
export function compileTopicRules(rules: readonly TopicRuleInput[]): CompiledTopicRule[] {
  return rules.map((r) => {
    const parsed = parseTopicPattern(r.pattern);
    if (!parsed.ok) throw new Error(`topic pattern "${r.pattern}" ${parsed.message}`);
    return { ...r, compiled: parsed.pattern };
  });
}

function ownerMatches(rule: CompiledTopicRule, principal: TopicPrincipal, event: TopicEventClaims): boolean {
  const param = rule.owner?.param;
  if (param !== undefined) {
    const params = matchTopic(rule.compiled, event.topic);
    if (params?.[param] === principal.id) return true;
  }
  return event.owner !== undefined && event.owner === principal.id;
}

function inAudience(principal: TopicPrincipal, audience: readonly string[] | undefined): boolean {
  if (audience === undefined) return true;
  for (const a of audience) {
    if (a === principal.id) return true;
    if (a.startsWith('role:') && principal.roles.includes(a.slice(5))) return true;
  }
  return false;
}

/**
 * Decides whether `principal` may subscribe to `filter` (a parsed subscription filter) or, with `event`, receive
 * that event. The first rule whose pattern covers the filter (or matches the event's topic) decides: its
 * `permission` grants everything; its `owner.permission` grants what the principal owns; else refused. An event's
 * `audience`, when present, further restricts delivery. `grants(roles, permission)` is the bundle's RBAC.
 */
export function decideTopic(
  rules: readonly CompiledTopicRule[],
  grants: (roles: readonly string[], permission: string) => boolean,
  principal: TopicPrincipal,
  filter: TopicPattern,
  event?: TopicEventClaims,
): TopicDecision {
  const rule = event === undefined
    ? rules.find((r) => patternCovers(r.compiled, filter))
    : rules.find((r) => matchTopic(r.compiled, event.topic) !== undefined);
  const what = event === undefined ? `topic "${filter.source}"` : `event on "${event.topic}"`;
  if (rule === undefined) return { allow: false, reason: 'NO_RULE', message: `no topic rule of this route covers ${what}` };
  let scope: 'all' | 'owned';
  if (rule.permission !== undefined && grants(principal.roles, rule.permission)) scope = 'all';
  else if (rule.owner !== undefined && grants(principal.roles, rule.owner.permission)) scope = 'owned';
  else {
    const needed = [rule.permission, rule.owner?.permission].filter((p) => p !== undefined).join(' or ');
    return { allow: false, reason: 'MISSING_PERMISSION', message: `${what} requires permission ${needed}` };
  }
  if (event === undefined) return { allow: true, scope };
  if (scope === 'owned' && !ownerMatches(rule, principal, event)) {
    return { allow: false, reason: 'NOT_OWNER', message: `${what} is not owned by the principal` };
  }
  if (!inAudience(principal, event.audience)) return { allow: false, reason: 'NOT_AUDIENCE', message: `${what} is not addressed to the principal` };
  return { allow: true, scope };
}
