/**
 * OpenSSH 9.2's forward-control regress script with tssh as master and client: sshd's
 * AllowTcpForwarding, PermitOpen, permitlisten and authorized_keys restrictions, each checked with a
 * -L or -R forward on a ControlPersist master (-MS ... -f) that is then asked -O check and -O exit.
 * About 100 masters in all (2.5 minutes on a loaded machine), so it runs as four parts at once, each
 * with its own forwarding ports. With REGRESS_TESTS set, regress.test.ts runs the chosen scripts and
 * this file runs none.
 */
import { regressParts } from '../support/regress-parts.js';

const PARTS = [
  { name: 'local permissions with AllowTcpForwarding yes and local', subtests: /^lperm_tests\s+(yes|local)\s/ },
  { name: 'local permissions with AllowTcpForwarding remote and no', subtests: /^lperm_tests\s+(remote|no)\s/ },
  { name: 'remote permissions with AllowTcpForwarding yes and local', subtests: /^rperm_tests\s+(yes|local)\s/ },
  { name: 'the default configuration; remote permissions with AllowTcpForwarding remote and no', subtests: undefined },
];

if (process.env.REGRESS_TESTS === undefined) {
  regressParts('forward-control', PARTS, {
    calls: /^(check_[lr]fwd|[lr]perm_tests)\s/,
    // The script's fixed forwarding ports, moved apart for each part.
    perPart: (script, index) => script.replace(/^LFWD_PORT=\d+$/m, `LFWD_PORT=${3320 + 10 * index}`).replace(/^RFWD_PORT=\d+$/m, `RFWD_PORT=${3321 + 10 * index}`),
  });
}
