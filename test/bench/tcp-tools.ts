/**
 * The far and near ends of the tunnel benchmarks, as separate processes so their CPU never lands in
 * the bench's own event loop:
 *
 *   node tcp-tools.js source <bytes>   # serves <bytes> of zeros to every connection; prints its port
 *   node tcp-tools.js read <port>      # connects, reads to EOF, prints the byte count
 */
import net from 'node:net';

const CHUNK = Buffer.alloc(1024 * 1024);

function serveZeros(bytes: number): void {
  // allowHalfOpen: a client's EOF (ssh -W with stdin at /dev/null) must not cut the stream short.
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    let left = bytes;
    socket.on('error', () => socket.destroy());
    socket.resume(); // whatever the client sends is dropped
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, CHUNK.length);
        left -= n;
        if (!socket.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`));
}

function readAll(port: number): void {
  let total = 0;
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('data', (chunk: Buffer) => (total += chunk.length));
  socket.on('end', () => {
    process.stdout.write(`${total}\n`);
    socket.destroy();
  });
  socket.on('error', (err) => {
    process.stderr.write(`read: ${err.message}\n`);
    process.exit(1);
  });
}

const [mode, value] = process.argv.slice(2);
if (mode === 'source') serveZeros(Number(value));
else if (mode === 'read') readAll(Number(value));
else {
  process.stderr.write('usage: tcp-tools.js source <bytes> | read <port>\n');
  process.exit(2);
}
