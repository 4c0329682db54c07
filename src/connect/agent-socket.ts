import type { Logger } from '../log.js';

/**
 * The agent socket to use, as OpenSSH decides it: IdentityAgent `none` means no agent; a `$NAME`
 * value (not `${NAME}`) reads that variable; `SSH_AUTH_SOCK` or no IdentityAgent reads $SSH_AUTH_SOCK;
 * anything else is the socket path itself (already `~`/token expanded). Undefined = no agent.
 * Agent forwarding (-A) uses the same socket.
 */
export function agentSocketPath(identityAgent: string | undefined, env: Record<string, string | undefined>, log?: Logger): string | undefined {
  let path: string | undefined;
  if (identityAgent === undefined || identityAgent === 'SSH_AUTH_SOCK') path = env.SSH_AUTH_SOCK;
  else if (identityAgent === 'none') path = undefined;
  else if (identityAgent.startsWith('$') && !identityAgent.startsWith('${')) path = env[identityAgent.slice(1)];
  else path = identityAgent;
  if (path === undefined || path === '') {
    log?.debug3('ssh_get_authentication_socket: agent not present');
    return undefined;
  }
  return path;
}
