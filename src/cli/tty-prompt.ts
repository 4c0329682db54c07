import fs from 'node:fs';

/**
 * Asks a question on the controlling terminal (/dev/tty, like OpenSSH's read_passphrase), never on
 * stdin/stdout, which may be carrying the user's data. Returns undefined when there is no terminal.
 * Reading is synchronous: nothing else should happen while a person is being asked.
 */
export function askOnTerminal(prompt: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync('/dev/tty', 'r+');
  } catch {
    return undefined;
  }
  try {
    fs.writeSync(fd, prompt);
    const bytes: number[] = [];
    const one = Buffer.alloc(1);
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, one, 0, 1, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        return undefined;
      }
      if (n === 0) return bytes.length ? Buffer.from(bytes).toString('utf8') : undefined;
      if (one[0] === 0x0a) return Buffer.from(bytes).toString('utf8');
      if (bytes.length < 4096) bytes.push(one[0]!);
    }
  } finally {
    fs.closeSync(fd);
  }
}
