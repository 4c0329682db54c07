/**
 * For the --reconnect tests: an sshd started again on its old port (same host keys, or a new one to
 * play an impostor), a TCP relay that can freeze (stops carrying bytes without closing, as a dead
 * network path or a sleeping laptop does), and a probe telling a bound-but-closing port from an unbound one.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { generateKey } from '../support/keys.js';
import { speaksSsh, stopTree } from '../support/processes.js';
import { waitFor } from '../support/run.js';
import type { Sshd } from '../support/sshd.js';
import { SSHD_PATH } from '../support/sshd.js';

export interface Restarted {
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `/usr/sbin/sshd` again with the config `startSshd` wrote (so the same port, keys and
 * authorized_keys); with `newHostKey`, its host key is replaced by a fresh one that known_hosts does not
 * have; with `refuseLogin`, no key is authorized any more.
 */
export async function restartSshd(sshd: Sshd, options: { newHostKey?: boolean; refuseLogin?: boolean } = {}): Promise<Restarted> {
  let config = path.join(sshd.dir, 'sshd_config');
  let text = readFileSync(config, 'utf8');
  if (options.newHostKey === true) {
    const impostor = await generateKey(sshd.dir, `impostor_${Date.now()}`, 'ed25519');
    text = text.replace(/^HostKey .*$/gm, `HostKey ${impostor.privatePath}`);
  }
  // The user's key is no longer authorized: the login is refused.
  if (options.refuseLogin === true) text = text.replace(/^AuthorizedKeysFile .*$/m, 'AuthorizedKeysFile /dev/null');
  if (options.newHostKey === true || options.refuseLogin === true) {
    config = path.join(sshd.dir, 'sshd_config.changed');
    writeFileSync(config, text);
  }
  const child = spawn(SSHD_PATH, ['-D', '-e', '-f', config, '-E', sshd.logFile], { stdio: 'ignore' });
  child.unref();
  const pid = child.pid!;
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor(async () => {
    if (exited) throw new Error(`the restarted sshd exited: ${sshd.readLog().slice(-2000)}`);
    return speaksSsh(sshd.port);
  }, 10_000, `sshd back on port ${sshd.port}`, 20);
  return { pid, stop: () => stopTree(pid) };
}

/** A relay from a local port to `targetPort`; freeze() stops every current pair in place, new ones still flow. */
export interface FreezableRelay {
  port: number;
  /** Connections made through it so far. */
  connections: number;
  freeze(): void;
  /** Ends the frozen pairs, as the server's ClientAlive check would end its side at last. */
  dropFrozen(): void;
  close(): Promise<void>;
}

export async function startFreezableRelay(targetPort: number): Promise<FreezableRelay> {
  const pairs: Array<[net.Socket, net.Socket]> = [];
  const frozen: net.Socket[] = [];
  const state = { connections: 0 };
  const server = net.createServer((client) => {
    state.connections++;
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) socket.on('error', () => (client.destroy(), upstream.destroy()));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.push([client, upstream]);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
  return Object.assign(state, {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => {
      for (const [client, upstream] of pairs.splice(0)) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
        // Not destroyed: neither side hears of it, as across a dead path. close() destroys them.
        frozen.push(client, upstream);
      }
    },
    dropFrozen: () => {
      for (const socket of frozen.splice(0)) socket.destroy();
    },
    close: async () => {
      for (const socket of [...frozen, ...pairs.flat()]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/**
 * What a client of a local port sees: 'refused' (nothing listens: the port vanished), 'closed' (it
 * was accepted, then closed without a byte: the listener is there but has no connection to carry
 * it), or 'data' (something answered).
 */
export function probe(port: number): Promise<'refused' | 'closed' | 'data'> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      socket.write('ping');
    });
    socket.once('data', () => {
      socket.destroy();
      resolve('data');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(connected ? 'closed' : err.code === 'ECONNREFUSED' ? 'refused' : 'closed'));
    socket.once('close', () => resolve(connected ? 'closed' : 'refused'));
  });
}
