import type { TestServer } from './server.js';

/**
 * The `Host *` section of an ssh_config that logs in to any of `servers` with the harness keys and
 * known_hosts and asks nothing: what ProxyJump hops need, since they take no -o options from the command line.
 */
export function harnessHostDefaults(servers: readonly TestServer[]): string[] {
  return [
    'Host *',
    `  User ${servers[0]!.user}`,
    ...servers.map((s) => `  IdentityFile ${s.userKey}`),
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${servers.map((s) => s.knownHosts).join(' ')}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '',
  ];
}
