/**
 * Route matching: the bundle's routes are compiled once into lookup tables, and
 * each request is matched against them without building regexes, sorting or
 * splitting per request.
 *
 * Priority (deterministic; the position in the routes array only breaks ties
 * the bundle schema already forbids):
 *
 *  1. Host: routes naming the request's exact host (a route host with a port
 *     before one without), then `*.example.com` wildcards (the longest suffix
 *     first; a wildcard matches one or more labels, never `example.com`
 *     itself), then host-less routes. Hosts compare lower-cased with a
 *     trailing dot stripped; the request's port is ignored unless the route
 *     host names a port (a route host with a port never matches a request
 *     host without one). Without a request host only host-less routes apply.
 *  2. Path kind: `exact` > `template` > `prefix`.
 *  3. Templates: compared segment by segment from the left; at the first
 *     segment where they differ a literal beats a `{param}`.
 *  4. Prefixes: the longest prefix wins.
 *  5. Method: a route listing the method beats one reaching it through
 *     HEAD → GET, which beats an any-method route (`methods` absent).
 *  6. Ties left after that: the earlier route in the array.
 *
 * A candidate that matches the path but not the method does not end the
 * search: lower-priority candidates are tried. When none accepts the method
 * the result is `found: false` with the union of the methods of every route
 * that matched the path (non-empty → 405 with `Allow`; empty → 404).
 *
 * Path semantics (`path` is already normalised, see normalize-path.ts):
 * - exact: the whole path equals the route path; a trailing slash counts
 *   (`/a` does not match `/a/`).
 * - prefix `/api`: matches `/api`, `/api/`, `/api/x`, not `/apix`;
 *   prefix `/api/`: matches `/api/` and `/api/x`, not `/api`; prefix `/`
 *   matches every path.
 * - template: each `{name}` matches exactly one non-empty segment and every
 *   literal segment must be equal; the number of segments must be equal, so a
 *   request path ending in `/` (an empty last segment) does not match a
 *   template without it (`/users/{id}` does not match `/users/7/`). Parameter
 *   values are the raw normalised segments (still percent-encoded).
 * - Methods compare case-sensitively (RFC 9110 §9.1); HEAD is accepted by a
 *   route that lists GET (RFC 9110 §9.3.2).
 *
 * Route paths are put through `normalizePath` when compiled (template literal
 * segments one by one), so a route written `/café` matches the request path
 * `/caf%C3%A9` that normalisation produces. Routes are otherwise assumed valid
 * per the bundle schema (`RouteMatch`).
 */
import { normalizePath } from './normalize-path.js';

/** A route was found for the request. */
export interface RouteMatchFound<R> {
  found: true;
  route: R;
  /** index of the route in the array given to `compileRouter` */
  index: number;
  /** template parameters by name; a shared frozen empty object when there are none */
  params: Record<string, string>;
}

/** No route accepts the request. */
export interface RouteMatchMissing {
  found: false;
  /** methods of the routes that match the path: non-empty → 405 with `Allow`, empty → 404 */
  allowedMethods: readonly string[];
}

/** The outcome of matching a request against the routes. */
export type RouteMatchResult<R> = RouteMatchFound<R> | RouteMatchMissing;

/** Routes compiled for matching; built once per bundle, used per request. */
export interface Router<R> {
  /** Finds the route for a request; `host` is the Host header (any case, with or without port), `path` the normalised path. */
  match(method: string, host: string | undefined, path: string): RouteMatchResult<R>;
  /** number of routes compiled */
  readonly size: number;
}

/** The part of a route the router reads (`Route` from the bundle schema fits). */
interface RoutableShape {
  id: string;
  match: { methods?: readonly string[]; host?: string; path: string; kind: 'exact' | 'prefix' | 'template' };
}

/** Compiles routes into a router (RFC 9110 method semantics; see the priority rules at the top of this file). */
export function compileRouter<
  R extends { id: string; match: { methods?: readonly string[]; host?: string; path: string; kind: 'exact' | 'prefix' | 'template' } },
>(routes: readonly R[]): Router<R> {
  return new CompiledRouter(routes);
}

// ---------------------------------------------------------------- compiled form

const EMPTY_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NO_METHODS: readonly string[] = Object.freeze([]);
const NOT_FOUND: RouteMatchMissing = Object.freeze({ found: false, allowedMethods: NO_METHODS });
/** Order of methods in `allowedMethods`; unknown methods follow, alphabetically. */
const METHOD_ORDER: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Rank of a method match: lower is better; NO_MATCH when the entry refuses the method. */
const RANK_EXPLICIT = 0;
const RANK_HEAD_VIA_GET = 1;
const RANK_ANY = 2;
const NO_MATCH = 3;

interface Entry<R> {
  route: R;
  index: number;
  /** methods listed by the route; undefined = any method */
  methods: ReadonlySet<string> | undefined;
  /** the result returned for a route without parameters (allocated once) */
  result: RouteMatchFound<R> | undefined;
  /** template parameters: segment depth and name of each */
  paramDepths: readonly number[];
  paramNames: readonly string[];
}

interface TrieNode<R> {
  literals: Map<string, TrieNode<R>> | undefined;
  param: TrieNode<R> | undefined;
  /** templates ending here, best first */
  entries: Entry<R>[];
}

interface PrefixGroup<R> {
  prefix: string;
  /** the prefix ends in "/": plain startsWith */
  endsWithSlash: boolean;
  entries: Entry<R>[];
}

/** Routes sharing one host condition. */
interface HostTable<R> {
  exact: Map<string, Entry<R>[]>;
  templates: TrieNode<R> | undefined;
  /** longest prefix first */
  prefixes: PrefixGroup<R>[];
}

interface WildcardTable<R> {
  /** ".example.com" or ".example.com:8080" */
  suffix: string;
  hasPort: boolean;
  table: HostTable<R>;
}

function methodRank(entry: Entry<unknown>, method: string): number {
  const m = entry.methods;
  if (m === undefined) return RANK_ANY;
  if (m.has(method)) return RANK_EXPLICIT;
  if (method === 'HEAD' && m.has('GET')) return RANK_HEAD_VIA_GET;
  return NO_MATCH;
}

/** The entry accepting `method` with the best rank (entries are in tie-break order), or undefined. */
function pickEntry<R>(entries: readonly Entry<R>[], method: string): Entry<R> | undefined {
  let best: Entry<R> | undefined;
  let bestRank = NO_MATCH;
  for (const e of entries) {
    const rank = methodRank(e, method);
    if (rank < bestRank) {
      best = e;
      bestRank = rank;
      if (rank === RANK_EXPLICIT) break;
    }
  }
  return best;
}

function collectMethods(entries: readonly Entry<unknown>[], into: Set<string>): void {
  for (const e of entries) {
    if (e.methods === undefined) {
      for (const m of METHOD_ORDER) into.add(m);
    } else {
      for (const m of e.methods) into.add(m);
      if (e.methods.has('GET')) into.add('HEAD');
    }
  }
}

/** Method-specific before any-method, then array order. */
function compareEntries(a: Entry<unknown>, b: Entry<unknown>): number {
  const aAny = a.methods === undefined ? 1 : 0;
  const bAny = b.methods === undefined ? 1 : 0;
  return aAny - bAny || a.index - b.index;
}

function newTable<R>(): HostTable<R> {
  return { exact: new Map(), templates: undefined, prefixes: [] };
}

function newNode<R>(): TrieNode<R> {
  return { literals: undefined, param: undefined, entries: [] };
}

function isParamSegment(segment: string): boolean {
  return segment.length >= 2 && segment.startsWith('{') && segment.endsWith('}');
}

/** Lower-cases a configured host and strips a trailing dot from its name part. */
/** The route path in normalised form, as request paths are (a path normalisation refuses is kept: it can never match). */
function canonicalRoutePath(path: string, kind: 'exact' | 'prefix' | 'template'): string {
  if (kind !== 'template') {
    const n = normalizePath(path);
    return n.ok ? n.path : path;
  }
  return path
    .split('/')
    .map((segment) => {
      if (segment === '' || isParamSegment(segment)) return segment;
      const n = normalizePath(`/${segment}`);
      return n.ok && n.path.length > 1 && n.path.indexOf('/', 1) < 0 ? n.path.slice(1) : segment;
    })
    .join('/');
}

function canonicalRouteHost(host: string): { name: string; port: string } {
  const h = host.toLowerCase();
  const colon = h.lastIndexOf(':');
  let name = colon >= 0 ? h.slice(0, colon) : h;
  const port = colon >= 0 ? h.slice(colon + 1) : '';
  if (name.endsWith('.')) name = name.slice(0, -1);
  return { name, port };
}

class CompiledRouter<R extends RoutableShape> implements Router<R> {
  readonly size: number;
  /** exact hosts: "name:port" and "name" keys */
  private readonly exactHosts = new Map<string, HostTable<R>>();
  private readonly wildcards: WildcardTable<R>[] = [];
  private readonly anyHost: HostTable<R> = newTable();
  private readonly hasHostRoutes: boolean;
  /** segment offsets of the current template match, reused across calls (match is synchronous) */
  private readonly segStart: Int32Array;
  private readonly segEnd: Int32Array;

  constructor(routes: readonly R[]) {
    this.size = routes.length;
    let maxDepth = 1;
    const wildcardByKey = new Map<string, WildcardTable<R>>();
    routes.forEach((route, index) => {
      const { host, kind, methods } = route.match;
      const path = canonicalRoutePath(route.match.path, kind);
      let table = this.anyHost;
      if (host !== undefined) {
        const { name, port } = canonicalRouteHost(host);
        const full = port ? `${name}:${port}` : name;
        if (name.startsWith('*.')) {
          const suffix = full.slice(1);
          let w = wildcardByKey.get(suffix);
          if (!w) {
            w = { suffix, hasPort: port !== '', table: newTable() };
            wildcardByKey.set(suffix, w);
            this.wildcards.push(w);
          }
          table = w.table;
        } else {
          let t = this.exactHosts.get(full);
          if (!t) this.exactHosts.set(full, (t = newTable()));
          table = t;
        }
      }
      const methodSet = methods === undefined ? undefined : new Set(methods);
      const entry: Entry<R> = { route, index, methods: methodSet, result: undefined, paramDepths: [], paramNames: [] };
      if (kind === 'template') {
        const segments = path.slice(1).split('/');
        maxDepth = Math.max(maxDepth, segments.length);
        const paramDepths: number[] = [];
        const paramNames: string[] = [];
        let node = (table.templates ??= newNode());
        segments.forEach((segment, depth) => {
          if (isParamSegment(segment)) {
            paramDepths.push(depth);
            paramNames.push(segment.slice(1, -1));
            node = node.param ??= newNode();
          } else {
            const literals = (node.literals ??= new Map());
            let next = literals.get(segment);
            if (!next) literals.set(segment, (next = newNode()));
            node = next;
          }
        });
        entry.paramDepths = paramDepths;
        entry.paramNames = paramNames;
        node.entries.push(entry);
      } else if (kind === 'prefix') {
        let group = table.prefixes.find((g) => g.prefix === path);
        if (!group) table.prefixes.push((group = { prefix: path, endsWithSlash: path.endsWith('/'), entries: [] }));
        group.entries.push(entry);
      } else {
        let list = table.exact.get(path);
        if (!list) table.exact.set(path, (list = []));
        list.push(entry);
      }
      if (entry.paramNames.length === 0) entry.result = Object.freeze({ found: true, route, index, params: EMPTY_PARAMS });
    });

    const tables = [this.anyHost, ...this.exactHosts.values(), ...this.wildcards.map((w) => w.table)];
    for (const t of tables) {
      for (const list of t.exact.values()) list.sort(compareEntries);
      for (const g of t.prefixes) g.entries.sort(compareEntries);
      t.prefixes.sort((a, b) => b.prefix.length - a.prefix.length || (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
      if (t.templates) sortTrie(t.templates);
    }
    // Longest host-name suffix first; with equal names, the one with a port first.
    const nameLength = (w: WildcardTable<R>): number => (w.hasPort ? w.suffix.lastIndexOf(':') : w.suffix.length);
    this.wildcards.sort(
      (a, b) => nameLength(b) - nameLength(a) || Number(b.hasPort) - Number(a.hasPort) || (a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0),
    );
    this.hasHostRoutes = this.exactHosts.size > 0 || this.wildcards.length > 0;
    this.segStart = new Int32Array(maxDepth + 1);
    this.segEnd = new Int32Array(maxDepth + 1);
  }

  match(method: string, host: string | undefined, path: string): RouteMatchResult<R> {
    if (path.charCodeAt(0) !== 0x2f) return NOT_FOUND;
    const found = this.search(method, host, path, undefined);
    if (found) return found;
    const allowed = new Set<string>();
    this.search(method, host, path, allowed);
    if (allowed.size === 0) return NOT_FOUND;
    const ordered = METHOD_ORDER.filter((m) => allowed.has(m));
    const others = [...allowed].filter((m) => !METHOD_ORDER.includes(m)).sort();
    return { found: false, allowedMethods: Object.freeze([...ordered, ...others]) };
  }

  /** Tries the host tables in priority order. With `collect`, finds nothing and gathers the methods of path-matching routes instead. */
  private search(method: string, host: string | undefined, path: string, collect: Set<string> | undefined): RouteMatchFound<R> | undefined {
    if (host !== undefined && this.hasHostRoutes) {
      // Canonical request host: lower case, no trailing dot on the name, port split off (IPv6 literals keep their brackets).
      const h = host.toLowerCase();
      const bracket = h.lastIndexOf(']');
      const colon = h.lastIndexOf(':');
      const hasPort = colon > bracket;
      let name = hasPort ? h.slice(0, colon) : h;
      if (name.endsWith('.')) name = name.slice(0, -1);
      const port = hasPort ? h.slice(colon + 1) : '';
      const full = port ? `${name}:${port}` : name;

      if (port) {
        const t = this.exactHosts.get(full);
        const r = t && this.searchTable(t, method, path, collect);
        if (r) return r;
      }
      const t = this.exactHosts.get(name);
      const r = t && this.searchTable(t, method, path, collect);
      if (r) return r;
      for (const w of this.wildcards) {
        const subject = w.hasPort ? full : name;
        if (subject.length > w.suffix.length && subject.endsWith(w.suffix)) {
          const found = this.searchTable(w.table, method, path, collect);
          if (found) return found;
        }
      }
    }
    return this.searchTable(this.anyHost, method, path, collect);
  }

  private searchTable(t: HostTable<R>, method: string, path: string, collect: Set<string> | undefined): RouteMatchFound<R> | undefined {
    const exact = t.exact.get(path);
    if (exact) {
      if (collect) collectMethods(exact, collect);
      else {
        const e = pickEntry(exact, method);
        if (e) return e.result;
      }
    }
    if (t.templates) {
      const found = this.searchTrie(t.templates, path, 1, 0, method, collect);
      if (found) return found;
    }
    for (const g of t.prefixes) {
      const p = g.prefix;
      const matches = g.endsWithSlash
        ? path.startsWith(p)
        : path.length === p.length
          ? path === p
          : path.startsWith(p) && path.charCodeAt(p.length) === 0x2f;
      if (!matches) continue;
      if (collect) collectMethods(g.entries, collect);
      else {
        const e = pickEntry(g.entries, method);
        if (e) return e.result;
      }
    }
    return undefined;
  }

  /**
   * Depth-first over the template trie, literal child before parameter child,
   * which visits matching templates in priority order; each node at most once.
   * `pos` is the start of the segment at `depth`, or -1 once every segment is consumed.
   */
  private searchTrie(
    node: TrieNode<R>,
    path: string,
    pos: number,
    depth: number,
    method: string,
    collect: Set<string> | undefined,
  ): RouteMatchFound<R> | undefined {
    if (pos < 0) {
      if (node.entries.length === 0) return undefined;
      if (collect) {
        collectMethods(node.entries, collect);
        return undefined;
      }
      const e = pickEntry(node.entries, method);
      return e && this.templateResult(e, path);
    }
    if (!node.literals && !node.param) return undefined;
    let end = path.indexOf('/', pos);
    if (end < 0) end = path.length;
    const next = end === path.length ? -1 : end + 1;
    this.segStart[depth] = pos;
    this.segEnd[depth] = end;
    if (node.literals) {
      const child = node.literals.get(path.slice(pos, end));
      if (child) {
        const found = this.searchTrie(child, path, next, depth + 1, method, collect);
        if (found) return found;
      }
    }
    if (node.param && end > pos) {
      // offsets of shallower segments are still in place: deeper calls only write deeper slots
      this.segStart[depth] = pos;
      this.segEnd[depth] = end;
      return this.searchTrie(node.param, path, next, depth + 1, method, collect);
    }
    return undefined;
  }

  private templateResult(e: Entry<R>, path: string): RouteMatchFound<R> {
    if (e.result) return e.result;
    const params: Record<string, string> = {};
    for (let i = 0; i < e.paramNames.length; i++) {
      const depth = e.paramDepths[i]!;
      const value = path.slice(this.segStart[depth], this.segEnd[depth]);
      const name = e.paramNames[i]!;
      if (name === '__proto__') Object.defineProperty(params, name, { value, enumerable: true, writable: true, configurable: true });
      else params[name] = value;
    }
    return { found: true, route: e.route, index: e.index, params };
  }
}

/** Orders the entries of every trie node (method-specific first, then array order). */
function sortTrie<R>(node: TrieNode<R>): void {
  node.entries.sort(compareEntries);
  if (node.literals) for (const child of node.literals.values()) sortTrie(child);
  if (node.param) sortTrie(node.param);
}
