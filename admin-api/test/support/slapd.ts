/**
 * Test support: a throwaway OpenLDAP server (Debian `slapd`) on free 127.0.0.1 ports, with an mdb
 * database, the memberof overlay, an LDIF of users and nested groups, and ldaps with a CA made by
 * openssl. Started and stopped by pid; the data directory survives stop() so restart() recovers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'ldapts';
import { freePort, makeCertificates } from './test-certs.js';

export const SUFFIX = 'dc=example,dc=test';
export const ROOT_DN = `cn=admin,${SUFFIX}`;
export const ROOT_PASSWORD = 'root-secret-for-tests';
export const READER_DN = `cn=gateway-reader,ou=system,${SUFFIX}`;
export const READER_PASSWORD = 'reader-secret-42';

const SLAPD = '/usr/sbin/slapd';
const FIXTURE = fileURLToPath(new URL('../fixtures/ldap/directory.ldif', import.meta.url));

/** Whether slapd is installed (tests skip with a clear reason when not). */
export const slapdAvailable = (): boolean => existsSync(SLAPD);

export interface Slapd {
  ldapUrl: string;
  ldapsUrl: string;
  /** PEM of the CA that signed the server certificate */
  caPem: string;
  /** PEM of an unrelated CA (a pinned wrong CA must fail closed) */
  otherCaPem: string;
  pid(): number | undefined;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** An admin (rootdn) client for changing the directory during a test; the caller unbinds it. */
  adminClient(): Promise<Client>;
  /** stop + delete the temp directory */
  dispose(): Promise<void>;
}

function slapdConf(dir: string): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
TLSCACertificateFile ${dir}/ca.pem
TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key
database mdb
suffix "${SUFFIX}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PASSWORD}
directory ${dir}/db
maxsize 33554432
overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
`;
}

async function waitForPort(url: string, child: ChildProcess, deadline: number): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}`);
    const c = new Client({ url, connectTimeout: 500 });
    try {
      await c.bind(ROOT_DN, ROOT_PASSWORD);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`slapd did not answer on ${url}: ${String(err)}`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await c.unbind().catch(() => undefined);
    }
  }
}

/** Starts slapd with the fixture directory loaded. */
export async function startSlapd(): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), 'agentcore-slapd-'));
  mkdirSync(join(dir, 'db'));
  makeCertificates(dir);
  writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir));
  const [ldapPort, ldapsPort] = [await freePort(), await freePort()];
  const ldapUrl = `ldap://127.0.0.1:${ldapPort}`;
  const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const stderr: string[] = [];
    const c = spawn(SLAPD, ['-f', join(dir, 'slapd.conf'), '-h', `${ldapUrl}/ ${ldapsUrl}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr?.on('data', (b: Buffer) => stderr.push(b.toString()));
    child = c;
    try {
      await waitForPort(ldapUrl, c, Date.now() + 15_000);
    } catch (err) {
      throw new Error(`${String(err)}\n${stderr.join('')}`, { cause: err });
    }
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.pid === undefined) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    process.kill(c.pid, 'SIGTERM');
    const timer = setTimeout(() => c.pid !== undefined && c.exitCode === null && process.kill(c.pid, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const adminClient = async (): Promise<Client> => {
    const c = new Client({ url: ldapUrl });
    await c.bind(ROOT_DN, ROOT_PASSWORD);
    return c;
  };

  await start();
  try {
    await loadLdif(await adminClient(), readFileSync(FIXTURE, 'utf8'));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    ldapUrl,
    ldapsUrl,
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    otherCaPem: readFileSync(join(dir, 'other-ca.pem'), 'utf8'),
    pid: () => child?.pid,
    stop,
    restart: start,
    adminClient,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Adds the entries of a simple LDIF (no continuation lines or base64) and unbinds the client. */
async function loadLdif(client: Client, ldif: string): Promise<void> {
  try {
    for (const block of ldif.split(/\n\s*\n/)) {
      const lines = block.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
      if (lines.length === 0) continue;
      const attrs: Record<string, string[]> = {};
      let dn = '';
      for (const line of lines) {
        const i = line.indexOf(': ');
        const [name, value] = [line.slice(0, i), line.slice(i + 2)];
        if (name === 'dn') dn = value;
        else (attrs[name] ??= []).push(value);
      }
      await client.add(dn, attrs);
    }
  } finally {
    await client.unbind();
  }
}
