/**
 * OpenSSH's regress scripts with tssh as the client (see test/support/regress.ts): connecting and
 * configuration. Each regress*.test.ts file holds scripts worth at most ~45 s on an idle machine, so a
 * file stays far inside npm test's per-file limit on a loaded one: percent has a file of its own,
 * sessions are in regress-session.test.ts, keys in regress-auth.test.ts and regress-keytypes.test.ts,
 * dhgex in regress-dhgex.test.ts; the long try-ciphers, integrity and kextype are split over files
 * (regress-<script>-<shard>.test.ts), and rekey runs in parts in regress-rekey.test.ts.
 *
 * REGRESS_TESTS="name ..." runs other scripts instead (e.g. the ones that still wait on features):
 *   REGRESS_TESTS="forwarding kextype" node --test dist/test/integration/regress.test.js
 *
 * Scripts that also pass but are left out for time: exit-status and stderr-data (sleeps, 15-30 s),
 * cert-userkey (60 s), cert-hostkey (50 s), agent-timeout (20 s), agent-restrict (40 s),
 * login-timeout and channel-timeout (sleeps); cfgmatch exercises sshd more than the client.
 * Connection sharing: multiplex, forwarding with dynamic-forward, and forward-control (in parts) have
 * files of their own (regress-multiplex, regress-forwarding, regress-forward-control).
 */
import { regressSuite } from '../support/regress.js';

const DEFAULT_TESTS = [
  'connect',
  'connect-uri',
  'portnum',
  'knownhosts',
  'knownhosts-command',
  'host-expand',
  'localcommand',
  'sshcfgparse',
  'cfginclude',
  'hostkey-rotate',
  'proxy-connect',
];

regressSuite(process.env.REGRESS_TESTS?.split(/\s+/).filter((t) => t !== '') ?? DEFAULT_TESTS);
