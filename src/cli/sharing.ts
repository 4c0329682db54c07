/**
 * The command's side of connection sharing: a ControlPersist master runs in a background copy of
 * tssh (ssh forks the master into the background; Node cannot fork, so the copy connects and the
 * foreground joins it, see background.ts), and a master's lifetime: it outlives its own session while
 * clients are attached, and with ControlPersist until it has been idle that long.
 */
import { unlinkSync } from 'node:fs';
import { ControlSocketError, MuxClient } from '../mux/client.js';
import type { MuxMaster } from '../mux/master.js';
import { persistSeconds } from '../connect/sharing.js';
import type { HostProfile } from '../profile/resolve.js';
import type { CliLogger } from './log.js';
import { runInBackground } from './background.js';

const PERSISTENT_MASTER_VARIABLE = 'TSSH_CONTROL_PERSIST_MASTER';

/** True in the background copy that holds a ControlPersist master. */
export function isPersistentMasterChild(env: Record<string, string | undefined>): boolean {
  return env[PERSISTENT_MASTER_VARIABLE] === '1';
}

/** What the background master connects with: no session, no stdin, a master whatever ControlMaster said. */
export function persistentMasterProfile(profile: HostProfile): HostProfile {
  const asks = profile.controlMaster === 'ask' || profile.controlMaster === 'autoask';
  return { ...profile, sessionType: 'none', requestTTY: 'no', stdinNull: true, forkAfterAuthentication: false, controlMaster: asks ? 'ask' : 'yes', stdioForward: undefined };
}

/** Whether a master answers on the ControlPath (a stale socket is removed, as ssh removes it). */
export async function masterAnswers(profile: HostProfile, log: CliLogger): Promise<boolean> {
  const path = profile.controlPath!;
  try {
    const mux = await MuxClient.connect(path, log, 10_000);
    try {
      await mux.aliveCheck();
      return true;
    } finally {
      mux.close();
    }
  } catch (err) {
    if (err instanceof ControlSocketError && err.errno === 'ECONNREFUSED') {
      log.debug1(`Stale control socket ${path.slice(0, 100)}, unlinking`);
      try {
        unlinkSync(path);
      } catch {
        // gone already
      }
    }
    return false;
  }
}

/** Starts the background master and waits until it listens (0), or for its exit status. */
export function startPersistentMaster(argv: readonly string[], log: CliLogger): Promise<number> {
  log.debug1('control_persist_detach: backgrounding master process');
  return runInBackground(argv, false, { [PERSISTENT_MASTER_VARIABLE]: '1' });
}

/**
 * When a master may exit: once its own session is over (none for -N or a ControlPersist master), no
 * client is attached, and, with ControlPersist, it has stayed so for that long. -O exit ends it at once.
 */
export class MasterLifetime {
  private clients = 0;
  private sessionOver = false;
  private listening = true;
  private timer: NodeJS.Timeout | undefined;
  private resolveDone!: () => void;
  /** Resolves when the master should close. */
  readonly done: Promise<void>;
  private readonly persist: number | undefined;

  /** -N: no session channel of the master's own keeps it alive once the socket is gone. */
  private readonly noSessionChannel: boolean;

  constructor(profile: HostProfile, private readonly log: CliLogger) {
    this.persist = persistSeconds(profile);
    this.noSessionChannel = profile.sessionType === 'none' && profile.stdioForward === undefined;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** MasterHooks.clientsChanged. */
  readonly clientsChanged = (count: number): void => {
    this.clients = count;
    this.check();
  };

  /**
   * The master's own session (or -W) has ended, or it never had one: a ControlPersist master is idle
   * from the start. (-N without ControlPersist lasts, as in ssh.)
   */
  sessionEnded(): void {
    this.sessionOver = true;
    this.check();
  }

  /** -O stop: with no socket, a master whose clients have all gone has nothing left to do (ssh exits then, even with -N). */
  listenerStopped(): void {
    this.listening = false;
    this.check();
  }

  terminate(): void {
    clearTimeout(this.timer);
    this.resolveDone();
  }

  private check(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.clients > 0) return;
    if (!this.listening && (this.sessionOver || this.noSessionChannel)) return this.resolveDone();
    if (!this.sessionOver) return;
    if (this.persist === undefined) return this.resolveDone();
    if (this.persist === Infinity) return;
    this.log.debug2(`control_persist: idle, exiting in ${this.persist} seconds`);
    this.timer = setTimeout(() => this.resolveDone(), this.persist * 1000);
    this.timer.unref();
  }
}

/** Removes the control socket when the process exits, however it exits (unless -O stop did already). */
export function removeSocketOnExit(master: MuxMaster): void {
  process.once('exit', () => master.stopListening());
}
