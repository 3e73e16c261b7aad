#!/usr/bin/env node
/** `agentcore-admin`: the control plane's command line. */
import { helpText, loadConfig } from './config.js';
import { runResetOwnerPassword } from './reset-owner-password-cli.js';
import { startAdmin } from './server.js';

if (process.argv[2] === 'reset-owner-password') {
  process.exit(await runResetOwnerPassword(process.argv.slice(3), process.env));
}
const r = loadConfig(process.argv.slice(2), process.env);
if (!r.ok) {
  if (r.help) {
    process.stdout.write(helpText() + '\n');
    process.exit(0);
  }
  process.stderr.write(`agentcore-admin: invalid configuration\n${r.errors.map((e) => `  - ${e}`).join('\n')}\nRun agentcore-admin --help for the options.\n`);
  process.exit(2);
}
startAdmin(r.config).then(
  (admin) => {
    if (admin.generatedPassword) {
      // Printed once, on the first start only; the store keeps a scrypt hash.
      process.stderr.write(`\nFirst start: created the owner account "admin" with the password:\n\n    ${admin.generatedPassword}\n\nIt is not shown again. Set AGENTCORE_ADMIN_PASSWORD to choose it yourself.\n\n`);
    }
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      admin.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  },
  (e: Error) => {
    process.stderr.write(`agentcore-admin: cannot start: ${e.message}\n`);
    process.exit(1);
  },
);
