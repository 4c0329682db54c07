/**
 * The remote session after login: which kind (none, shell, command, subsystem) and whether with a
 * pseudo-terminal, decided as ssh.c does; its requests; how it ends (remote exit, ~., a signal, the
 * connection lost) and the exit status and closing messages ssh gives for each.
 */
import fs from 'node:fs';
import type { SshClient } from '../client.js';
import { Session, type SessionExit } from '../connection/session.js';
import { encodeTerminalModes } from '../connection/terminal-modes.js';
import { TsshError, asTsshError } from '../errors.js';
import type { ResolvedOptions } from '../profile/options.js';
import type { HostProfile } from '../profile/resolve.js';
import type { CliLogger } from './log.js';
import { pipeStdin, runExecIo } from './exec-io.js';
import { DiscardedPacketFatal } from '../transport/fatal.js';
import { matchPattern } from '../text/patterns.js';
import { LocalTerminal } from './terminal.js';
import { TerminalSession } from './terminal-io.js';
import { watchTerminationSignals, type ReceivedSignal } from './signals.js';
import type { ForwardingControl } from '../connect/forwarding-control.js';
import type { X11Request } from '../forward/x11.js';
import { type ResolveEnvironment } from '../profile/environment.js';
import { constants as osConstants } from 'node:os';
import { siginfoMessage } from '../connect/connection-info.js';

/** What the session will be, decided as ssh.c decides tty_flag. */
export interface SessionPlan {
  kind: 'none' | 'shell' | 'exec' | 'subsystem';
  /** The command (exec) or subsystem name; '' for a shell. */
  command: string;
  /** A pseudo-terminal is requested (and escapes are active). */
  tty: boolean;
  /** A terminal was wanted but stdin is not one: ssh says "Pseudo-terminal will not be allocated...". */
  ttyRefused: boolean;
}

/** tty_flag per ssh.c: -t/-tt/-T/RequestTTY, a command or not, -N, and whether stdin is a terminal. */
export function planSession(options: ResolvedOptions, stdinIsTerminal: boolean): SessionPlan {
  const command = options.remoteCommand ?? options.command ?? '';
  const request = options.requestTTY;
  let tty = request === 'yes' || request === 'force';
  if (command === '') tty = request !== 'no';
  if (request === 'no' || options.sessionType === 'none') tty = false;
  let ttyRefused = false;
  if ((!stdinIsTerminal || options.stdinNull) && request !== 'force') {
    ttyRefused = tty;
    tty = false;
  }
  const kind = options.sessionType === 'none' ? 'none' : options.sessionType === 'subsystem' ? 'subsystem' : command === '' ? 'shell' : 'exec';
  return { kind, command, tty, ttyRefused };
}

/** Extension points for other features (forwarding implements ForwardingControl for ~# and ~C). */
export interface SessionExtras {
  forwarding?: ForwardingControl;
  /** Agent forwarding (-A) is on and an agent is there: the session asks for auth-agent-req@openssh.com. */
  agentForwarding?: boolean;
  /** X11 forwarding (-X / -Y): the x11-req to send, when the local display's credentials were found. */
  x11?: () => Promise<X11Request | undefined>;
  /** This is the background copy of `tssh -f` (cli/background.ts). */
  background?: boolean;
  /** The session runs over a ControlMaster's connection: ssh then says "Shared connection to %s closed.". */
  shared?: boolean;
}

/** How the session ended from tssh's side. */
type Ending =
  | { kind: 'exit'; exit: SessionExit }
  | { kind: 'signal'; signal: ReceivedSignal }
  | { kind: 'escape' } // ~.
  | { kind: 'error'; error: TsshError };

/** OpenSSH halves the session window and packet size for terminal sessions (ssh.c ssh_session2_open). */
const TTY_WINDOW = { size: 1024 * 1024, maxPacket: 16 * 1024 };

/**
 * What runs once the user is authenticated: no session (-N), a shell, a command or a subsystem, with
 * or without a pseudo-terminal, local stdio attached. Returns tssh's exit status (the remote one, or
 * 255). The local terminal is back in its original mode whenever this returns or throws.
 */
export async function runRemoteSession(client: SshClient, options: HostProfile, env: ResolveEnvironment, log: CliLogger, extras: SessionExtras = {}): Promise<number> {
  const plan = planSession(options, process.stdin.isTTY === true);
  let endLocally: (ending: Ending) => void = () => {};
  const localEnd = new Promise<Ending>((resolve) => (endLocally = resolve));
  // The -f background copy outlives its terminal, as ssh does after daemon(): SIGHUP does not end it.
  const stopWatching = watchTerminationSignals((signal) => endLocally({ kind: 'signal', signal }), extras.background ? ['SIGHUP'] : []);
  const terminal = LocalTerminal.forStdin();
  const stopSiginfo = reportOnSiginfo(client, log);
  let io: TerminalSession | undefined;
  try {
    let remoteEnd: Promise<Ending>;
    if (plan.kind === 'none') {
      // Without a session the command lasts as long as the connection; closing it ourselves (a
      // ControlPersist master going idle, -O exit) is a clean end.
      remoteEnd = client.closed.then((error): Ending => (error ? { kind: 'error', error } : { kind: 'exit', exit: { status: 0, signal: undefined } }));
    } else {
      // Without a terminal, stdin goes to the channel from the moment the start request is out (exec-io.ts).
      let stopStdin = (): void => {};
      const feedStdin = plan.tty ? undefined : (opened: Session): void => {
        stopStdin = pipeStdin(opened.channel, options.stdinNull ? undefined : process.stdin, log);
      };
      const starting = startSession(client, plan, options, env, log, terminal, extras, feedStdin);
      starting.catch(() => {}); // a signal may win the race below; the error then no longer matters
      const session = await Promise.race([starting, localEnd]);
      if (!(session instanceof Session)) return finish(session, plan, options, log, false, extras.shared === true);
      if (plan.tty) {
        io = new TerminalSession({
          session,
          terminal,
          stdin: options.stdinNull ? undefined : process.stdin,
          stdout: process.stdout,
          stderr: process.stderr,
          escapeChar: options.escapeChar,
          commandLineEnabled: options.enableEscapeCommandline,
          logToFile: options.logFile !== undefined,
          log,
          forwarding: extras.forwarding,
          rekey: () => client.transport.startRekey('requested by ~R'),
          disconnect: () => endLocally({ kind: 'escape' }),
          keystrokeIntervalMs: options.obscureKeystrokeTiming,
          chaff: () => client.transport.sendChaff(),
          rekeying: () => client.transport.rekeying,
          connectionFacts: () => client.transport.connectionFacts(),
        });
        remoteEnd = io.done.then((exit) => ({ kind: 'exit', exit }));
      } else {
        remoteEnd = runExecIo(session, { stdout: process.stdout, stderr: process.stderr, stopStdin }).then((exit) => ({ kind: 'exit', exit }));
      }
    }
    const ending = await Promise.race([remoteEnd.catch((err: unknown): Ending => ({ kind: 'error', error: asTsshError(err) })), localEnd]);
    io?.stop();
    terminal.restore();
    return finish(ending, plan, options, log, io?.backgrounded === true, extras.shared === true);
  } finally {
    io?.stop();
    terminal.restore();
    stopWatching();
    stopSiginfo();
  }
}

/** SIGINFO (^T on the BSDs and macOS; Linux has no such signal): how long the connection has been up. */
function reportOnSiginfo(client: SshClient, log: CliLogger): () => void {
  if (!('SIGINFO' in osConstants.signals)) return () => {};
  const started = performance.now();
  const onSignal = (): void => log.info(siginfoMessage('tssh', client.transport.connectionFacts(), (performance.now() - started) / 1000));
  process.on('SIGINFO', onSignal);
  return () => process.off('SIGINFO', onSignal);
}

/** Opens the session channel and sends pty-req, env and the shell/exec/subsystem request, pipelined as ssh does. */
async function startSession(client: SshClient, plan: SessionPlan, options: HostProfile, env: ResolveEnvironment, log: CliLogger, terminal: LocalTerminal, extras: SessionExtras, feedStdin?: (session: Session) => void): Promise<Session> {
  const x11 = extras.x11?.(); // xauth runs while the channel opens
  const session = await Session.open(client.connection, log, plan.tty ? TTY_WINDOW : undefined);
  // X11, then the agent, then pty-req, as ssh.c ssh_session2_setup orders them.
  const x11Request = await x11;
  if (x11Request !== undefined) {
    void session.requestX11(x11Request.proto, x11Request.fakeHex, x11Request.screen).then((granted) => {
      if (!granted && !session.channel.isClosed) log.error(`X11 forwarding request failed on channel ${session.channel.localId}`);
    });
  }
  if (extras.agentForwarding === true) session.requestAgentForwarding();
  const ptyGranted = plan.tty
    ? session.requestPty({ term: terminalType(options, env.env), size: terminal.size(), modes: encodeTerminalModes(terminal.modes()) })
    : undefined;
  for (const [name, value] of environmentToSend(options, env.env)) session.setEnv(name, value);
  if (plan.tty) terminal.enterRaw();
  const started = plan.kind === 'shell' ? session.shell() : plan.kind === 'subsystem' ? session.subsystem(plan.command) : session.exec(plan.command);
  feedStdin?.(session);
  if (ptyGranted !== undefined && !(await ptyGranted)) {
    const message = `PTY allocation request failed on channel ${session.channel.localId}`;
    // Asked for with -t or RequestTTY: fatal. Wanted by default for a shell: carry on without one.
    if (options.requestTTY === 'yes' || options.requestTTY === 'force') throw new TsshError('CHANNEL', message);
    terminal.restore();
    log.error(message);
  }
  await started;
  return session;
}

/** The exit status and ssh's closing messages for each way a session ends. */
function finish(ending: Ending, plan: SessionPlan, options: HostProfile, log: CliLogger, backgrounded: boolean, shared: boolean): number {
  const host = options.hostName;
  // ssh writes these itself (not through the log), so -E does not divert them; -q hides only "closed.".
  const closed = (): void => {
    if (plan.tty && log.level !== 'QUIET' && log.level !== 'FATAL' && log.level !== 'ERROR') writeStderr(`${shared ? 'Shared connection' : 'Connection'} to ${host} closed.\r\n`);
  };
  switch (ending.kind) {
    case 'signal':
      log.verbose(`Killed by signal ${ending.signal.number}.`);
      // -N has no remote status; ending it with SIGTERM is the normal way to stop it.
      return plan.kind === 'none' && ending.signal.name === 'SIGTERM' ? 0 : 255;
    case 'escape':
      closed();
      return 255;
    case 'error': {
      const lost = lostConnectionMessage(ending.error, host);
      if (lost === undefined) throw ending.error;
      for (const line of loggedBefore(ending.error)) log.error(line);
      writeStderr(`${lost}\r\n`);
      closed();
      return 255;
    }
    case 'exit':
      closed();
      return backgrounded ? 0 : (ending.exit.status ?? 255);
  }
}

/**
 * ssh's words when the server end of an established session goes away: end-of-file is "closed by
 * remote host", a reset is a read error. Anything else (a DISCONNECT, a bad MAC) is a fatal error
 * reported as usual; undefined then.
 */
function lostConnectionMessage(error: TsshError, host: string): string | undefined {
  // A CBC packet discard ends in ssh's socket read once the session runs: a read error, not a dispatch one.
  if (error.cause instanceof DiscardedPacketFatal) return `Read from remote host ${host}: ${error.cause.reason}`;
  if (error.code !== 'CONNECTION_CLOSED') return undefined;
  if (error.message.startsWith('Connection closed by')) return `Connection to ${host} closed by remote host.`;
  if (error.message.startsWith('Connection reset by')) return `Read from remote host ${host}: Connection reset by peer`;
  return undefined;
}

/** The lines ssh logs before a lost connection's own message ("Corrupted MAC on input.", ...). */
function loggedBefore(error: TsshError): string[] {
  return error.cause instanceof DiscardedPacketFatal ? error.message.split('\n').slice(0, -1) : [];
}

function writeStderr(text: string): void {
  try {
    fs.writeSync(2, text);
  } catch {
    // stderr is gone; nothing left to tell.
  }
}

/** TERM for the pty-req: SetEnv TERM=... wins over the local environment, as in ssh. */
function terminalType(options: ResolvedOptions, localEnv: Record<string, string | undefined>): string {
  const fromSetEnv = options.setEnv.find(([name]) => name === 'TERM')?.[1];
  return fromSetEnv !== undefined && fromSetEnv !== '' ? fromSetEnv : (localEnv.TERM ?? '');
}

/**
 * Local variables matching SendEnv patterns, then SetEnv as given: OpenSSH 9.2's order, so SetEnv wins
 * on the server when both name the same variable.
 */
export function environmentToSend(options: HostProfile, localEnv: Record<string, string | undefined>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(localEnv)) {
    if (value === undefined) continue;
    if (options.sendEnv.some((pattern) => matchPattern(name, pattern))) out.push([name, value]);
  }
  return [...out, ...options.setEnv];
}
