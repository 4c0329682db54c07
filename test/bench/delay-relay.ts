/**
 * A loopback TCP relay that holds every chunk `delayMs` in each direction before passing it on: a
 * long link (2 × delayMs round trip) without limiting bandwidth, for kernels without the netem qdisc.
 * Reading never pauses, so the delay is the only limit; what is in flight is bounded by the SSH
 * window of the endpoints, not here.
 *
 *   node delay-relay.js <targetPort> <delayMs>    # prints the port it listens on, runs until killed
 */
import net from 'node:net';

/** Forwards `from` to `to` with a fixed delay, preserving order and half-closes. */
export function delayedPipe(from: net.Socket, to: net.Socket, delayMs: number): void {
  const queue: Array<{ due: number; chunk: Buffer | null }> = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.due <= now + 0.5) {
      const { chunk } = queue.shift()!;
      if (chunk === null) to.end();
      else to.write(chunk);
    }
    if (queue.length > 0) timer = setTimeout(flush, queue[0]!.due - now);
  };
  const enqueue = (chunk: Buffer | null): void => {
    queue.push({ due: performance.now() + delayMs, chunk });
    timer ??= setTimeout(flush, delayMs);
  };
  from.on('data', (chunk: Buffer) => enqueue(chunk));
  from.on('end', () => enqueue(null));
  from.on('error', () => to.destroy());
  from.on('close', () => {
    if (queue.length === 0 && from.errored) to.destroy();
  });
}

export function startRelay(targetPort: number, delayMs: number): Promise<net.Server> {
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort, allowHalfOpen: true, noDelay: true });
    delayedPipe(client, upstream, delayMs);
    delayedPipe(upstream, client, delayMs);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1]?.endsWith('delay-relay.js')) {
  const [targetPort, delayMs] = process.argv.slice(2).map(Number);
  const server = await startRelay(targetPort!, delayMs!);
  process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`);
}
