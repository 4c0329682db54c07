/**
 * Host and user names as ssh(1) checks them before they reach %-tokens and shell commands (OpenSSH
 * 10.x readconf.c ssh_valid_hostname / ssh_valid_ruser): the destination, -l, and command-line jump hops.
 */

/** A host name must not start with `-` nor contain shell metacharacters, `,`, white space or control characters. */
export function isValidHostname(host: string): boolean {
  return !host.startsWith('-') && !/['`"$\\;&<>|(){},\s\x00-\x1f\x7f]/.test(host);
}

/** A remote user name must not start with `-`, nor contain shell metacharacters or control characters. */
export function isValidRemoteUser(user: string): boolean {
  if (user.startsWith('-')) return false;
  if (/['`";&<>|(){}\x00-\x1f\x7f]/.test(user)) return false;
  if (/\s-/.test(user)) return false;
  return !user.endsWith('\\');
}
