/**
 * The local X server's credentials for -X / -Y, found as ssh's client_x11_get_proto finds them:
 * trusted forwarding (-Y, or -X with ForwardX11Trusted yes) lists the display's cookie with xauth;
 * untrusted forwarding has xauth generate a restricted cookie that expires after ForwardX11Timeout
 * (plus a minute), and without one there is no X11 forwarding at all. Trusted forwarding without xauth
 * data makes up a cookie: the local X server then decides by its own rules.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isValidDisplay } from '../forward/x11-display.js';
import { strerror } from '../net/strerror.js';
import type { X11Credentials } from '../forward/x11.js';
import type { Logger } from '../log.js';

const PROTO = 'MIT-MAGIC-COOKIE-1';
/** The generated cookie outlives ssh's willingness to forward, so the X server never fails open. */
const TIMEOUT_SLACK_SECONDS = 60;
/** xauth talks to the X server when generating; a wedged one must not hang the login. */
const XAUTH_DEADLINE_MS = 15_000;

export interface X11Settings {
  display: string | undefined;
  xauthLocation: string;
  trusted: boolean;
  /** ForwardX11Timeout in seconds; 0 means no limit. */
  timeout: number;
}

/** The credentials to forward, or undefined (logged as ssh logs it) when X11 forwarding cannot go on. */
export async function x11Credentials(settings: X11Settings, log: Logger): Promise<X11Credentials | undefined> {
  const { display, trusted, timeout } = settings;
  if (display === undefined) {
    log.debug1('X11 forwarding requested but DISPLAY not set');
    return undefined;
  }
  if (!isValidDisplay(display)) {
    log.info(`DISPLAY "${display}" invalid; disabling X11 forwarding`);
    return undefined;
  }
  const xauth = settings.xauthLocation;
  let found: X11Credentials | undefined;
  if (!existsSync(xauth)) {
    log.debug1('No xauth program.');
  } else {
    // An X server listening on the local socket is usually listed as unix:N, not localhost:N.
    const name = display.startsWith('localhost:') ? `unix:${display.slice('localhost:'.length)}` : display;
    found = trusted ? await listCookie(xauth, [], name, log) : await generateUntrusted(xauth, name, timeout, log);
  }
  if (found !== undefined) return found;
  if (!trusted) {
    log.error('Warning: untrusted X11 forwarding setup failed: xauth key data not generated');
    return undefined;
  }
  log.info('Warning: No xauth data; using fake authentication data for X11 forwarding.');
  return { proto: PROTO, data: randomBytes(16) };
}

async function generateUntrusted(xauth: string, display: string, timeout: number, log: Logger): Promise<X11Credentials | undefined> {
  let dir: string;
  try {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ssh-'));
  } catch (err) {
    log.error(`client_x11_get_proto: mkdtemp: ${strerror(err)}`);
    return undefined;
  }
  const file = path.join(dir, 'xauthfile');
  try {
    const args = ['-f', file, 'generate', display, PROTO, 'untrusted', ...(timeout > 0 ? ['timeout', String(timeout + TIMEOUT_SLACK_SECONDS)] : [])];
    log.debug2(`client_x11_get_proto: xauth command: ${xauth} ${args.join(' ')}`);
    if ((await run(xauth, args)) === undefined) return undefined;
    return await listCookie(xauth, ['-f', file], display, log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `xauth [-f file] list DISPLAY`: the first line's protocol and hex data. */
async function listCookie(xauth: string, fileArgs: string[], display: string, log: Logger): Promise<X11Credentials | undefined> {
  const args = [...fileArgs, 'list', display];
  log.debug2(`x11_get_proto: ${xauth} ${args.join(' ')}`);
  const output = await run(xauth, args);
  const [, proto, hex] = (output?.split('\n', 1)[0] ?? '').trim().split(/\s+/);
  if (proto === undefined || hex === undefined || !/^([0-9a-fA-F]{2})+$/.test(hex)) return undefined;
  return { proto, data: Buffer.from(hex, 'hex') };
}

/** Runs xauth, its stderr discarded (ssh's `2>/dev/null`): its stdout when it exits 0. */
function run(program: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = execFile(program, args, { timeout: XAUTH_DEADLINE_MS, encoding: 'utf8' }, (err, stdout) => resolve(err ? undefined : stdout));
    child.stdin?.end();
  });
}
