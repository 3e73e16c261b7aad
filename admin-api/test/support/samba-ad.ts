/**
 * Test support: a throwaway Samba Active Directory domain controller (Debian `samba`), provisioned in a
 * temp dir (~10 s) and serving only LDAP on 127.0.0.1 with ldaps from our own openssl CA. AD's LDAP
 * ports are fixed (389/636) and Samba only binds addresses assigned to an interface, so one DC runs at a
 * time: `sambaSkipReason` says why the suite must be skipped (no samba-tool, or 389/636 taken — never another
 * server's data), and `startSambaAd` still refuses when a port was taken in between.
 * Users and nested groups are added over ldaps as Administrator. Stopped by pid.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Attribute, Client } from 'ldapts';
import { makeCertificates } from './test-certs.js';
import { createServer } from 'node:net';

export const AD_BASE = 'DC=corp,DC=example,DC=test';
export const AD_ADMIN = 'Administrator@corp.example.test';
export const AD_ADMIN_PASSWORD = 'Adm1n-Passw0rd!x';

/** Whether Samba's tools are installed. */
export const sambaAvailable = (): boolean => existsSync('/usr/bin/samba-tool') && existsSync('/usr/sbin/samba');

export interface SambaAd {
  ldapsUrl: string;
  caPem: string;
  /** seconds the provisioning took */
  provisionSeconds: number;
  admin(): Promise<Client>;
  dispose(): Promise<void>;
}

const portFree = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });

/** Why the Samba AD suite cannot run here (undefined: it can): samba missing, or 127.0.0.1:389/636 taken. */
export async function sambaSkipReason(): Promise<string | undefined> {
  if (!sambaAvailable()) return 'samba-tool or samba is not installed (Debian package samba; .ci/run installs it)';
  for (const port of [389, 636]) {
    if (!(await portFree('127.0.0.1', port))) return `127.0.0.1:${port} is taken (another Samba AD test or an LDAP server runs); AD's ports are fixed`;
  }
  return undefined;
}

const unicodePwd = (password: string): Buffer => Buffer.from(`"${password}"`, 'utf16le');

/** Adds users (alice, bob, a disabled carol) and nested groups GG-Platform ⊂ GG-Engineering ⊂ GG-Staff. */
async function seed(c: Client): Promise<void> {
  const users = `CN=Users,${AD_BASE}`;
  const attrs = (rec: Record<string, string | string[]>): Attribute[] => Object.entries(rec).map(([type, v]) => new Attribute({ type, values: Array.isArray(v) ? v : [v] }));
  const user = async (sam: string, password: string, uac: number) =>
    c.add(`CN=${sam},${users}`, [
      ...attrs({
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        sAMAccountName: sam,
        userPrincipalName: `${sam}@corp.example.test`,
        displayName: `${sam[0]?.toUpperCase()}${sam.slice(1)} Test`,
        mail: `${sam}@corp.example.test`,
        userAccountControl: String(uac),
      }),
      new Attribute({ type: 'unicodePwd', values: [unicodePwd(password)] }),
    ]);
  await user('alice', 'Alice-Passw0rd!1', 512);
  await user('bob', 'Bob-Passw0rd!2', 512);
  await user('carol', 'Carol-Passw0rd!3', 514); // ACCOUNTDISABLE
  const group = async (name: string, members: string[]) => c.add(`CN=${name},${users}`, { objectClass: ['top', 'group'], sAMAccountName: name, ...(members.length ? { member: members } : {}) });
  await group('GG-Platform', [`CN=alice,${users}`]);
  await group('GG-Engineering', [`CN=GG-Platform,${users}`, `CN=bob,${users}`]);
  await group('GG-Staff', [`CN=GG-Engineering,${users}`, `CN=carol,${users}`]);
}

/** Provisions and starts a domain controller; throws if any step fails. */
export async function startSambaAd(): Promise<SambaAd> {
  const dir = mkdtempSync(join(tmpdir(), 'agentcore-samba-'));
  const ip = '127.0.0.1';
  if (!(await portFree(ip, 636)) || !(await portFree(ip, 389))) throw new Error('ports 389/636 on 127.0.0.1 are taken: is another Samba AD test running?');
  const t0 = Date.now();
  await promisify(execFile)('samba-tool', [
    'domain', 'provision', `--targetdir=${dir}`, '--realm=CORP.EXAMPLE.TEST', '--domain=CORP', '--server-role=dc', '--dns-backend=NONE',
    `--adminpass=${AD_ADMIN_PASSWORD}`, `--option=interfaces=${ip}`, '--option=bind interfaces only=yes',
  ], { timeout: 120_000 });
  const provisionSeconds = (Date.now() - t0) / 1000;
  makeCertificates(dir, ip);
  const conf = join(dir, 'etc', 'smb.conf');
  const text = readFileSync(conf, 'utf8')
    .replace(/^\s*server services = .*$/m, '')
    .replace(/^\s*log file = .*$/m, '')
    .replace('[global]', `[global]\n\tserver services = ldap\n\tlog file = ${dir}/samba.log\n\ttls enabled = yes\n\ttls keyfile = ${dir}/server.key\n\ttls certfile = ${dir}/server.pem\n\ttls cafile = ${dir}/ca.pem`);
  writeFileSync(conf, text);
  const child: ChildProcess = spawn('/usr/sbin/samba', ['-s', conf, '-i', '-M', 'single'], { stdio: 'ignore' });
  const ldapsUrl = `ldaps://${ip}:636`;
  const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const admin = async (): Promise<Client> => {
    const c = new Client({ url: ldapsUrl, tlsOptions: { ca: [caPem] }, connectTimeout: 2000, timeout: 10_000 });
    await c.bind(AD_ADMIN, AD_ADMIN_PASSWORD);
    return c;
  };
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid, 'SIGTERM');
    await exited;
  };
  try {
    let c: Client | undefined;
    for (const deadline = Date.now() + 30_000; !c; ) {
      c = await admin().catch(async (err: unknown) => {
        if (Date.now() > deadline || child.exitCode !== null) throw err;
        await new Promise((r) => setTimeout(r, 300));
        return undefined;
      });
    }
    await seed(c);
    await c.unbind();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    ldapsUrl,
    caPem,
    provisionSeconds,
    admin,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
