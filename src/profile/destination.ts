/**
 * Destinations as ssh(1) takes them: which host names and user names it refuses before connecting.
 */

/** ssh refuses destinations that start with `-` or contain shell metacharacters or control characters. */
export function isValidHostname(host: string): boolean {
  return !host.startsWith('-') && !/['`"$\\;&<>|(){}\s\x00-\x1f\x7f]/.test(host);
}

/** ssh refuses remote user names with shell metacharacters given on the command line. */
export function isValidRemoteUser(user: string): boolean {
  if (user.startsWith('-')) return false;
  if (/['`";&<>|(){}\x00-\x1f\x7f]/.test(user)) return false;
  if (/\s-/.test(user)) return false;
  return !user.endsWith('\\');
}
