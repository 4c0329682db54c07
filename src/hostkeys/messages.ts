/**
 * The host-key messages OpenSSH 9.2 (Debian) prints, word for word (sshconnect.c). Each string is one
 * OpenSSH log call; a few contain "\n" exactly where OpenSSH's do. `%.200s`-style truncations are kept.
 */

const BANNER = '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@';

/** Final fatal message of every refused host key. */
export const HOST_KEY_VERIFICATION_FAILED = 'Host key verification failed.';

export function truncate(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

export function revokedKeyWarning(typeLabel: string, name: string): string[] {
  return [
    BANNER,
    '@       WARNING: REVOKED HOST KEY DETECTED!               @',
    BANNER,
    `The ${typeLabel} host key for ${name} is marked as revoked.`,
    'This could mean that a stolen key is being used to',
    'impersonate this host.',
  ];
}

export function revokedStrictRefusal(typeLabel: string, name: string): string {
  return `${typeLabel} host key for ${truncate(name, 200)} was revoked and you have requested strict checking.`;
}

export interface ChangedKeyDetails {
  typeLabel: string;
  fingerprint: string;
  /** known_hosts file named in "Add correct host key in ..." (first user file, else first global). */
  correctionFile: string | undefined;
  offendingTypeLabel: string;
  offendingFile: string;
  offendingLine: number;
  name: string;
}

/** warn_changed_key() plus the lines check_host_key() adds (Debian adds the ssh-keygen -R hint). */
export function changedKeyWarning(d: ChangedKeyDetails): string[] {
  const lines = [
    BANNER,
    '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
    BANNER,
    'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
    'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
    'It is also possible that a host key has just been changed.',
    `The fingerprint for the ${d.typeLabel} key sent by the remote host is\n${d.fingerprint}.`,
    'Please contact your system administrator.',
  ];
  if (d.correctionFile !== undefined) {
    lines.push(`Add correct host key in ${truncate(d.correctionFile, 100)} to get rid of this message.`);
  }
  lines.push(
    `Offending ${d.offendingTypeLabel} key in ${d.offendingFile}:${d.offendingLine}`,
    '  remove with:',
    `  ssh-keygen -f "${d.offendingFile}" -R "${d.name}"`,
  );
  return lines;
}

export function changedStrictRefusal(name: string): string {
  return `Host key for ${truncate(name, 200)} has changed and you have requested strict checking.`;
}

export function unknownStrictRefusal(typeLabel: string, name: string): string {
  return `No ${typeLabel} host key is known for ${truncate(name, 200)} and you have requested strict checking.`;
}

export function permanentlyAdded(name: string, typeLabel: string): string {
  return `Warning: Permanently added '${truncate(name, 200)}' (${typeLabel}) to the list of known hosts.`;
}

export function failedToAdd(file: string): string {
  return `Failed to add the host to the list of known hosts (${truncate(file, 500)}).`;
}

export function ipNotKnown(typeLabel: string, ip: string): string {
  return `${typeLabel} host key for IP address '${truncate(ip, 128)}' not in list of known hosts.`;
}

export function permanentlyAddedIp(typeLabel: string, ip: string): string {
  return `Warning: Permanently added the ${typeLabel} host key for IP address '${truncate(ip, 128)}' to the list of known hosts.`;
}

export function failedToAddIp(typeLabel: string, ip: string, file: string): string {
  return `Failed to add the ${typeLabel} host key for IP address '${truncate(ip, 128)}' to the list of known hosts (${truncate(file, 500)}).`;
}

/** CheckHostIP: the host's key changed and the address's key is unknown, unchanged or different too. */
export function dnsSpoofingWarning(typeLabel: string, host: string, ip: string, ipState: 'new' | 'ok' | 'changed', offendingIp?: string): string[] {
  const keyMsg = ipState === 'new' ? 'is unknown' : ipState === 'ok' ? 'is unchanged' : 'has a different value';
  const lines = [
    BANNER,
    '@       WARNING: POSSIBLE DNS SPOOFING DETECTED!          @',
    BANNER,
    `The ${typeLabel} host key for ${host} has changed,`,
    `and the key for the corresponding IP address ${ip}`,
    `${keyMsg}. This could either mean that`,
    'DNS SPOOFING is happening or the IP address for the host',
    'and its host key have changed at the same time.',
  ];
  if (offendingIp !== undefined) lines.push(`Offending key for IP in ${offendingIp}`);
  return lines;
}

/** CheckHostIP: the host's key is fine but the address is recorded with another key (one message). */
export function ipKeyDiffers(typeLabel: string, host: string, ip: string, offendingIp: string, matchingHost?: string): string {
  let text = `Warning: the ${typeLabel} host key for '${truncate(host, 200)}' differs from the key for the IP address '${truncate(ip, 128)}'\nOffending key for IP in ${offendingIp}`;
  if (matchingHost !== undefined) text += `\nMatching host key in ${matchingHost}`;
  return text;
}

export const CONTINUE_YES_NO = '\nAre you sure you want to continue connecting (yes/no)? ';
export const EXITING_STRICT = 'Exiting, you have requested strict checking.';
export const PROMPT_AGAIN_YES_NO = "Please type 'yes' or 'no': ";

export interface UnknownKeyPromptDetails {
  name: string;
  /** The address as ssh prints it: `ip` or `[ip]:port`, or the proxy placeholder. */
  address: string;
  typeLabel: string;
  fingerprint: string;
  /** VisualHostKey: the random-art picture shown under the fingerprint. */
  art?: string;
  /** `path:line: hosts` (or `[hashed name]`) for each entry holding this key under another name. */
  otherNames: string[];
}

const MAX_OTHER_NAMES = 8;

/** The whole confirmation prompt ssh shows for an unknown host key (one read_passphrase prompt). */
export function unknownKeyPrompt(d: UnknownKeyPromptDetails): string {
  const lines = [
    `The authenticity of host '${truncate(d.name, 200)} (${d.address})' can't be established.`,
    `${d.typeLabel} key fingerprint is ${d.fingerprint}.`,
  ];
  if (d.art !== undefined) lines.push(d.art);
  if (d.otherNames.length === 0) {
    lines.push('This key is not known by any other names.');
  } else {
    lines.push('This host key is known by the following other names/addresses:');
    for (const other of d.otherNames.slice(0, MAX_OTHER_NAMES)) lines.push(`    ${other}`);
    if (d.otherNames.length > MAX_OTHER_NAMES) {
      lines.push(`    (${d.otherNames.length - MAX_OTHER_NAMES} additional names omitted)`);
    }
  }
  lines.push('Are you sure you want to continue connecting (yes/no/[fingerprint])? ');
  return lines.join('\n');
}

export const PROMPT_AGAIN_WITH_FINGERPRINT = "Please type 'yes', 'no' or the fingerprint: ";

/** Placeholder OpenSSH prints instead of an address when connecting through a proxy command. */
export const NO_HOST_IP_FOR_PROXY = '<no hostip for proxy command>';

/** Features OpenSSH switches off when it continues past a changed or revoked key (StrictHostKeyChecking no). */
export const UNSAFE_FEATURE_WARNINGS = {
  passwordAuthentication: 'Password authentication is disabled to avoid man-in-the-middle attacks.',
  kbdInteractiveAuthentication: 'Keyboard-interactive authentication is disabled to avoid man-in-the-middle attacks.',
  forwardAgent: 'Agent forwarding is disabled to avoid man-in-the-middle attacks.',
  forwardX11: 'X11 forwarding is disabled to avoid man-in-the-middle attacks.',
  portForwarding: 'Port forwarding is disabled to avoid man-in-the-middle attacks.',
  tunnel: 'Tunnel forwarding is disabled to avoid man-in-the-middle attacks.',
  updateHostKeys: 'UpdateHostkeys is disabled because the host key is not trusted.',
} as const;

export type UnsafeFeature = keyof typeof UNSAFE_FEATURE_WARNINGS;

export const FORWARDING_DISABLED_FATAL = 'Error: forwarding disabled due to host key check failure';
