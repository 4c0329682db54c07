/**
 * The strerror(3) and gai_strerror(3) texts OpenSSH prints, for the error codes Node reports (glibc
 * wording).
 */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  ECONNRESET: 'Connection reset by peer',
  EPIPE: 'Broken pipe',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EINVAL: 'Invalid argument',
  ENAMETOOLONG: 'File name too long',
  ENOTSOCK: 'Socket operation on non-socket',
};

const GAI_TEXT: Readonly<Record<string, string>> = {
  ENOTFOUND: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
  ENODATA: 'No address associated with hostname',
  EAI_FAIL: 'Non-recoverable failure in name resolution',
  EAI_ADDRFAMILY: 'Address family for hostname not supported',
};

/** strerror() of a Node system error; its own message when the code is not one OpenSSH users meet. */
export function strerror(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && ERRNO_TEXT[code] !== undefined) return ERRNO_TEXT[code]!;
  return err instanceof Error ? err.message : String(err);
}

/** gai_strerror() of a failed name lookup. */
export function gaiStrerror(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (code !== undefined ? GAI_TEXT[code] : undefined) ?? code ?? 'unknown error';
}

/** True when a lookup (not a connect) failed: OpenSSH words those differently. */
export function isResolveError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && GAI_TEXT[code] !== undefined;
}
