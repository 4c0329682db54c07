/**
 * The three clients the bench compares, as command lines for each job: tssh and OpenSSH's ssh take
 * the same flags; the ssh2 npm library runs through ./ssh2-client.js (as shipped, and with TCP_NODELAY).
 */
import { fileURLToPath } from 'node:url';
import type { Ssh2Job } from './ssh2-client.js';

export type ClientName = 'tssh' | 'ssh' | 'ssh2' | 'ssh2-shipped';
export const ALL_CLIENTS: readonly ClientName[] = ['tssh', 'ssh', 'ssh2', 'ssh2-shipped'];

/** Where and as whom to log in; `port` may be a delay relay in front of sshd. */
export interface Endpoint {
  port: number;
  user: string;
  keyFile: string;
  /** A known_hosts file that lists the server's key for this port. */
  knownHosts: string;
  /** The server's host key blob, base64. */
  hostKey: string;
}

export interface Algorithms {
  cipher?: string;
  mac?: string;
  kex?: string;
}

export type Job =
  | { kind: 'exec'; command: string }
  | { kind: 'stdio-forward'; targetPort: number }
  | { kind: 'local-forward'; listenPort: number; targetPort: number };

const SSH2_SCRIPT = fileURLToPath(new URL('./ssh2-client.js', import.meta.url));

/** The tssh and OpenSSH ssh executables the bench runs (ssh: the one of the same release as the server). */
export interface ClientBinaries {
  tssh: string;
  ssh: string;
}

/** argv for `client` doing `job` against `endpoint`. */
export function commandLine(client: ClientName, bins: ClientBinaries, endpoint: Endpoint, algorithms: Algorithms, job: Job): string[] {
  if (client === 'ssh2' || client === 'ssh2-shipped') return [process.execPath, SSH2_SCRIPT, JSON.stringify(ssh2Job(client === 'ssh2', endpoint, algorithms, job))];
  const bin = bins[client];
  const base = [bin, ...openSshOptions(endpoint, algorithms)];
  const destination = `${endpoint.user}@127.0.0.1`;
  switch (job.kind) {
    case 'exec':
      return [...base, destination, job.command];
    case 'stdio-forward':
      return [...base, '-W', `127.0.0.1:${job.targetPort}`, destination];
    case 'local-forward':
      return [...base, '-N', '-o', 'ExitOnForwardFailure=yes', '-L', `${job.listenPort}:127.0.0.1:${job.targetPort}`, destination];
  }
}

/** The flags shared by tssh and ssh: this endpoint only, nothing from the user's ~/.ssh. */
export function openSshOptions(endpoint: Endpoint, algorithms: Algorithms): string[] {
  return [
    '-F', '/dev/null',
    '-p', String(endpoint.port),
    '-i', endpoint.keyFile,
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${endpoint.knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    ...(algorithms.cipher ? ['-c', algorithms.cipher] : []),
    ...(algorithms.mac ? ['-m', algorithms.mac] : []),
    ...(algorithms.kex ? ['-o', `KexAlgorithms=${algorithms.kex}`] : []),
  ];
}

export function ssh2Job(noDelay: boolean, endpoint: Endpoint, algorithms: Algorithms, job: Job | { kind: 'exec-round-trips'; command: string; count: number }): Ssh2Job {
  const base = { host: '127.0.0.1', port: endpoint.port, user: endpoint.user, keyFile: endpoint.keyFile, hostKey: endpoint.hostKey, noDelay, ...algorithms };
  const target = (port: number): { host: string; port: number } => ({ host: '127.0.0.1', port });
  switch (job.kind) {
    case 'exec':
      return { ...base, mode: 'exec', command: job.command };
    case 'exec-round-trips':
      return { ...base, mode: 'exec-round-trips', command: job.command, count: job.count };
    case 'stdio-forward':
      return { ...base, mode: 'stdio-forward', target: target(job.targetPort) };
    case 'local-forward':
      return { ...base, mode: 'local-forward', listenPort: job.listenPort, target: target(job.targetPort) };
  }
}

export function ssh2Command(noDelay: boolean, endpoint: Endpoint, algorithms: Algorithms, count: number, command: string): string[] {
  return [process.execPath, SSH2_SCRIPT, JSON.stringify(ssh2Job(noDelay, endpoint, algorithms, { kind: 'exec-round-trips', command, count }))];
}
