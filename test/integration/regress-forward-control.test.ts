/**
 * OpenSSH 9.2's forward-control regress script with tssh as master and client: sshd's
 * AllowTcpForwarding, PermitOpen, permitlisten and authorized_keys restrictions, each checked with a
 * -L or -R forward on a ControlPersist master (-MS ... -f) that is then asked -O check and -O exit.
 * About 100 masters in all (2.5 minutes on a loaded machine), so it runs as four parts at once, each
 * with forwarding ports of its own, free when the file starts (the script's fixed 3320 and 3321 would
 * collide with any other run of it on the machine, and a collision hangs a check). With REGRESS_TESTS set, regress.test.ts runs the chosen scripts and
 * this file runs none.
 */
import { regressParts } from '../support/regress-parts.js';
import { freePort } from '../support/processes.js';

// One AllowTcpForwarding value per part, for both tables (the local ones take about three times as long).
const PARTS = [
  { name: 'AllowTcpForwarding yes: local and remote permissions', subtests: /^[lr]perm_tests\s+yes\s/ },
  { name: 'AllowTcpForwarding local: local and remote permissions', subtests: /^[lr]perm_tests\s+local\s/ },
  { name: 'AllowTcpForwarding remote: local and remote permissions', subtests: /^[lr]perm_tests\s+remote\s/ },
  { name: 'the default configuration; AllowTcpForwarding no', subtests: undefined },
];

// The -R checks that hung under the suite's load were tssh clients deadlocked in Node's key generation
// (see src/crypto/kex/x25519.ts), not the forwards.
if (process.env.REGRESS_TESTS === undefined) {
  const ports = await Promise.all(PARTS.map(async () => ({ local: await freePort(), remote: await freePort() })));
  regressParts('forward-control', PARTS, {
    calls: /^(check_[lr]fwd|[lr]perm_tests)\s/,
    perPart: (script, index) =>
      script.replace(/^LFWD_PORT=\d+$/m, `LFWD_PORT=${ports[index]!.local}`).replace(/^RFWD_PORT=\d+$/m, `RFWD_PORT=${ports[index]!.remote}`),
  });
}
