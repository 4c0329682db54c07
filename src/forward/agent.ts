import net from 'node:net';
import type { Logger } from '../log.js';
import { OpenFailure, type ChannelOpenRequest, type Connection } from '../connection/connection.js';
import { strerror } from '../net/strerror.js';
import { relay } from './relay.js';
import { AGENT_MSG, AgentFrameReader, frame, sessionBindRequest, type SessionBinding } from '../agent/protocol.js';

/**
 * -A / ForwardAgent: auth-agent@openssh.com channels from the server are joined, byte for byte, to a
 * new connection to the local agent socket (the agent protocol passes through untouched). Without
 * agent forwarding the server has no business opening one: ssh warns, and so do we.
 */
export function handleAgentChannels(connection: Connection, agentSocket: string | undefined, log: Logger, binding?: SessionBinding): void {
  connection.handleChannelOpens('auth-agent@openssh.com', (request) => {
    request.reader.end();
    if (agentSocket === undefined) {
      log.error('Warning: ssh server tried agent forwarding.');
      log.error('Warning: this is probably a break-in attempt by a malicious server.');
      request.reject(OpenFailure.ADMINISTRATIVELY_PROHIBITED, 'open failed');
      return;
    }
    void relayToAgent(request, agentSocket, log, binding);
  });
}

async function relayToAgent(request: ChannelOpenRequest, path: string, log: Logger, binding: SessionBinding | undefined): Promise<void> {
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
  if (binding && !(await bindForwarded(socket, binding, log))) {
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

/**
 * As ssh does for a forwarded agent connection: session-bind@openssh.com with the forwarding flag, so
 * the agent can tell the remote host's requests apart and apply destination constraints (ssh-add -h).
 * Its answer is consumed here; a refusal (an agent without the extension) is only logged. False if the
 * agent went away.
 */
function bindForwarded(socket: net.Socket, binding: SessionBinding, log: Logger): Promise<boolean> {
  return new Promise((resolve) => {
    const frames = new AgentFrameReader();
    const done = (ok: boolean): void => {
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
      socket.pause();
      resolve(ok);
    };
    const onData = (chunk: Buffer): void => {
      let replies: Buffer[];
      try {
        replies = frames.push(chunk);
      } catch {
        return done(false);
      }
      if (replies.length === 0) return;
      log.debug3(`ssh_agent_bind_hostkey: forwarded connection ${replies[0]![0] === AGENT_MSG.SUCCESS ? 'bound' : 'not bound'}`);
      done(true);
    };
    const onClose = (): void => done(false);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(frame(sessionBindRequest(binding, true)));
  });
}
