import net from 'node:net';
import type { Logger } from '../log.js';
import { OpenFailure, type ChannelOpenRequest, type Connection } from '../connection/connection.js';
import { strerror } from '../net/strerror.js';
import { relay } from './relay.js';

/**
 * -A / ForwardAgent: auth-agent@openssh.com channels from the server are joined, byte for byte, to a
 * new connection to the local agent socket (the agent protocol passes through untouched). Without
 * agent forwarding the server has no business opening one: ssh warns, and so do we.
 */
export function handleAgentChannels(connection: Connection, agentSocket: string | undefined, log: Logger): void {
  connection.handleChannelOpens('auth-agent@openssh.com', (request) => {
    request.reader.end();
    if (agentSocket === undefined) {
      log.error('Warning: ssh server tried agent forwarding.');
      log.error('Warning: this is probably a break-in attempt by a malicious server.');
      request.reject(OpenFailure.ADMINISTRATIVELY_PROHIBITED, 'open failed');
      return;
    }
    void relayToAgent(request, agentSocket, log);
  });
}

async function relayToAgent(request: ChannelOpenRequest, path: string, log: Logger): Promise<void> {
  const socket = net.connect({ path, allowHalfOpen: true });
  const connected = await new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('error', (err) => {
      log.debug1(`ssh_get_authentication_socket: ${strerror(err)}`);
      resolve(false);
    });
  });
  if (!connected) {
    socket.destroy();
    request.reject(OpenFailure.ADMINISTRATIVELY_PROHIBITED, 'open failed');
    return;
  }
  let channel;
  try {
    channel = request.accept();
  } catch {
    socket.destroy();
    return;
  }
  log.debug1(`channel ${channel.localId}: new [authentication agent connection]`);
  await relay(socket, channel);
}
