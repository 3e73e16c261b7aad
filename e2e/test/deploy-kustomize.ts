/**
 * `kubectl kustomize` when kubectl is installed (`renderWithKubectl`), and the fallback: a small offline renderer for the subset of kustomize that deploy/k8s uses (when no `kubectl kustomize`
 * here, and no npm package renders kustomizations): `resources` (files and directories with their
 * own kustomization.yaml), `labels` (pairs added to metadata.labels), `images` (newName/newTag/digest
 * on container images) and `patches` (RFC 6902 patch files with a target). Anything else in a
 * kustomization is an error, so the manifests cannot silently rely on a feature this does not model.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import jsonpatch from 'fast-json-patch';
import { parseAllDocuments } from 'yaml';

/** Arbitrary JSON of a manifest, walked freely by assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are arbitrary JSON
export type Json = any;

/** One rendered Kubernetes object. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  patches?: { path: string; target: { group?: string; version?: string; kind: string; name?: string } }[];
}

const KNOWN = new Set(['apiVersion', 'kind', 'resources', 'labels', 'images', 'patches']);

/** Parses every YAML document of a file (strict: duplicate keys and syntax errors throw). */
export function readYamlDocuments(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true });
  return docs.map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS();
  }).filter((d) => d !== null && d !== undefined);
}

function podSpecs(m: Manifest): Record<string, unknown>[] {
  const spec = m.spec as Record<string, Json> | undefined;
  if (!spec) return [];
  if (m.kind === 'Pod') return [spec];
  if (m.kind === 'CronJob') return spec.jobTemplate?.spec?.template?.spec ? [spec.jobTemplate.spec.template.spec] : [];
  return spec.template?.spec ? [spec.template.spec] : [];
}

/** Every container (init, regular) of a workload manifest. */
export function containersOf(m: Manifest): Record<string, Json>[] {
  return podSpecs(m).flatMap((s) => [...((s.initContainers as unknown[]) ?? []), ...((s.containers as unknown[]) ?? [])]) as Record<string, Json>[];
}

function setImages(m: Manifest, images: NonNullable<Kustomization['images']>): void {
  for (const c of containersOf(m)) {
    const image = String(c.image);
    const at = image.indexOf('@');
    const colon = image.lastIndexOf(':');
    const name = at >= 0 ? image.slice(0, at) : colon > image.lastIndexOf('/') ? image.slice(0, colon) : image;
    const rule = images.find((i) => i.name === name);
    if (!rule) continue;
    const oldTag = at >= 0 ? image.slice(at) : colon > image.lastIndexOf('/') ? image.slice(colon) : '';
    const tag = rule.digest ? `@${rule.digest}` : rule.newTag ? `:${rule.newTag}` : oldTag;
    c.image = `${rule.newName ?? name}${tag}`;
  }
}

function matches(m: Manifest, t: NonNullable<Kustomization['patches']>[number]['target']): boolean {
  const [group, version] = m.apiVersion.includes('/') ? m.apiVersion.split('/') : ['', m.apiVersion];
  return m.kind === t.kind && (t.name === undefined || m.metadata.name === t.name) && (t.group === undefined || t.group === group) && (t.version === undefined || t.version === version);
}

/** Renders the kustomization in `dir` to its list of objects. */
export function renderKustomization(dir: string): Manifest[] {
  const file = join(dir, 'kustomization.yaml');
  const [k] = readYamlDocuments(file) as Kustomization[];
  if (!k) throw new Error(`${file} is empty`);
  const unknown = Object.keys(k).filter((key) => !KNOWN.has(key));
  if (unknown.length) throw new Error(`${file}: fields this renderer does not model: ${unknown.join(', ')}`);
  let out: Manifest[] = [];
  for (const r of k.resources ?? []) {
    const path = resolve(dir, r);
    if (!existsSync(path)) throw new Error(`${file}: resource ${r} does not exist`);
    out.push(...(statSync(path).isDirectory() ? renderKustomization(path) : (readYamlDocuments(path) as Manifest[])));
  }
  for (const l of k.labels ?? []) {
    if (l.includeSelectors) throw new Error(`${file}: labels.includeSelectors is not modelled`);
    for (const m of out) m.metadata.labels = { ...m.metadata.labels, ...l.pairs };
  }
  if (k.images) for (const m of out) setImages(m, k.images);
  for (const p of k.patches ?? []) {
    const ops = readYamlDocuments(resolve(dir, p.path))[0] as jsonpatch.Operation[];
    const targets = out.filter((m) => matches(m, p.target));
    if (targets.length === 0) throw new Error(`${file}: patch ${p.path} matches no resource`);
    out = out.map((m) => (targets.includes(m) ? (jsonpatch.applyPatch(structuredClone(m), ops, true, false).newDocument as Manifest) : m));
  }
  const seen = new Set<string>();
  for (const m of out) {
    const id = `${m.apiVersion}/${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
    if (seen.has(id)) throw new Error(`${file}: ${id} is defined twice`);
    seen.add(id);
  }
  return out;
}

/** `kubectl kustomize DIR` when kubectl is installed (Debian's or the Kubernetes package); undefined when it is not. */
export function renderWithKubectl(dir: string): Manifest[] | undefined {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr || r.error?.message}`);
  return parseAllDocuments(r.stdout, { uniqueKeys: true })
    .map((d) => {
      if (d.errors.length) throw new Error(`kubectl kustomize ${dir}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as Manifest;
    })
    .filter((d) => d !== null && d !== undefined);
}
