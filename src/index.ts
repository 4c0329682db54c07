/**
 * tssh as a library: an SSH client that behaves like OpenSSH's ssh (ssh_config, known_hosts, the
 * agent, ProxyJump, certificates, post-quantum key exchange), with typed errors.
 *
 *   import { connect } from 'tssh';
 *   const conn = await connect('db-bastion');
 *   const { stdout, code } = await conn.exec('uname -a');
 *   await conn.close();
 */
export { connect, resolveConfig } from './api/connect.js';
export type { ConnectOptions, HostKeyInfo, KnownHostsPolicy, LogFunction } from './api/connect.js';
export { Connection } from './api/connection.js';
export type { ConnectionInfo, ShellOptions } from './api/connection.js';
export type { ExecOptions, ExecResult, ExitInfo, PtyOptions, RemoteProcess, SpawnOptions } from './api/process.js';
export type { Forward, ForwardTarget, ListenAddress } from './api/forwards.js';
export type { HostProfile } from './profile/resolve.js';
export type { LogLevel } from './log.js';
export { TimelineRecorder } from './timeline.js';
export type { Timeline, TimelineDetail, TimelineEntry, TimelineOutcome, TimelinePhase } from './timeline.js';
export {
  AuthError,
  ChannelOpenError,
  DisconnectError,
  DisconnectReason,
  HostKeyError,
  NegotiationError,
  TimeoutError,
  TsshError,
} from './errors.js';
export type { AgentStatus, ErrorCode, HostKeyStatus, NegotiationKind, PublicKeyAttempt, PublicKeyOutcome, PublicKeyReport, TimeoutPhase } from './errors.js';
