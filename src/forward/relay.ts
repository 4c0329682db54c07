import type { Duplex } from 'node:stream';
import type { Channel } from '../connection/channel.js';

/**
 * Joins a local stream (a TCP or Unix socket, or stdio) and a channel both ways, as OpenSSH's channels
 * do: end-of-file travels each way on its own (half-close), so a client that shuts down its sending
 * side still gets the whole reply; backpressure is the SSH window one way and the socket's buffer the
 * other, so a slow reader holds at most a window's worth. The local stream must allow half-open use
 * (net `allowHalfOpen: true`). When the channel closes, the local stream is closed once what arrived
 * before was written; when the local stream fails or closes, the channel is closed. Resolves when
 * both sides are gone.
 */
export function relay(local: Duplex, channel: Channel): Promise<void> {
  return new Promise((resolve) => {
    let channelClosed = false;
    let localClosed = false;
    const finish = (): void => {
      if (channelClosed && localClosed) resolve();
    };
    // Errors end the pair below; they are not the user's business beyond that (OpenSSH is silent too).
    local.on('error', () => local.destroy());
    channel.on('error', () => channel.destroy());

    local.pipe(channel); // local EOF → CHANNEL_EOF
    channel.pipe(local); // CHANNEL_EOF → local shutdown(SHUT_WR)

    local.once('close', () => {
      localClosed = true;
      local.unpipe(channel);
      if (!channelClosed) channel.destroy(); // CHANNEL_CLOSE
      finish();
    });
    channel.once('channel-close', (err?: Error) => {
      channelClosed = true;
      // An aborted connection ends nothing in order; an orderly close first delivers what came before it.
      if (err !== undefined || local.writableFinished || local.destroyed) local.destroy();
      else local.once('finish', () => local.destroy());
      finish();
    });
  });
}
