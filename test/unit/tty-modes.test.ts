import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCharacter, DEFAULT_TERMINAL_MODES, parseSttyAll, rawModeArguments } from '../../src/cli/tty-modes.js';
import { encodeTerminalModes, NO_TERMINAL_MODES } from '../../src/connection/terminal-modes.js';
import { SshReader } from '../../src/wire/reader.js';

// GNU coreutils 9.1 `stty -a` on a pty, with a few settings changed from the defaults.
const LINUX_STTY = `speed 9600 baud; rows 30; columns 100; line = 0;
intr = ^C; quit = ^\\; erase = ^H; kill = ^U; eof = ^D; eol = <undef>;
eol2 = <undef>; swtch = <undef>; start = ^Q; stop = ^S; susp = ^Z; rprnt = ^R;
werase = ^W; lnext = ^V; discard = ^O; min = 1; time = 0;
-parenb -parodd -cmspar cs8 -hupcl -cstopb cread -clocal -crtscts
-ignbrk -brkint -ignpar -parmrk -inpck -istrip -inlcr -igncr icrnl ixon -ixoff
-iuclc -ixany imaxbel iutf8
opost -olcuc -ocrnl onlcr -onocr -onlret -ofill -ofdel nl0 cr0 tab0 bs0 vt0 ff0
isig icanon iexten echo echoe echok -echonl -noflsh -xcase -tostop -echoprt
echoctl echoke -flusho -extproc
`;

// macOS `stty -a` layout (BSD words, same names).
const BSD_STTY = `speed 38400 baud; 24 rows; 80 columns;
lflags: icanon isig iexten echo echoe -echok echoke -echonl echoctl
	-echoprt -altwerase -noflsh -tostop -flusho pendin -nokerninfo
	-extproc
iflags: -istrip icrnl -inlcr -igncr ixon -ixoff ixany imaxbel iutf8
	-ignbrk brkint -inpck -ignpar -parmrk
oflags: opost onlcr -oxtabs -onocr -onlret
cflags: cread cs7 parenb -parodd hupcl -clocal -cstopb -crtscts -dsrflow
	-dtrflow -mdmbuf
cchars: discard = ^O; dsusp = ^Y; eof = ^D; eol = <undef>;
	eol2 = <undef>; erase = ^?; intr = ^C; kill = ^U; lnext = ^V;
	min = 1; quit = ^\\; reprint = ^R; start = ^Q; status = ^T;
	stop = ^S; susp = ^Z; time = 0; werase = ^W;
`;

test('stty -a (GNU): speeds, control characters and flags', () => {
  const modes = parseSttyAll(LINUX_STTY)!;
  assert.equal(modes.inputSpeed, 9600);
  assert.equal(modes.outputSpeed, 9600);
  assert.deepEqual(modes.characters, {
    VINTR: 3, VQUIT: 28, VERASE: 8, VKILL: 21, VEOF: 4, VEOL: 255, VEOL2: 255, VSTART: 17, VSTOP: 19, VSUSP: 26,
    VREPRINT: 18, VWERASE: 23, VLNEXT: 22, VDISCARD: 15,
  });
  assert.equal(modes.flags.IMAXBEL, true);
  assert.equal(modes.flags.ICRNL, true);
  assert.equal(modes.flags.ECHONL, false);
  assert.equal(modes.flags.PENDIN, false); // not printed by GNU stty: the default
  // OpenSSH tests CS7 and CS8 as masks: with cs8 both are sent as set.
  assert.equal(modes.flags.CS7, true);
  assert.equal(modes.flags.CS8, true);
});

test('stty -a (BSD): the same words in another layout', () => {
  const modes = parseSttyAll(BSD_STTY)!;
  assert.equal(modes.outputSpeed, 38400);
  assert.equal(modes.characters.VERASE, 127);
  assert.equal(modes.characters.VDSUSP, 25);
  assert.equal(modes.characters.VSTATUS, 20);
  assert.equal(modes.characters.VREPRINT, 18);
  assert.equal(modes.flags.IXANY, true);
  assert.equal(modes.flags.PENDIN, true);
  assert.equal(modes.flags.PARENB, true);
  assert.equal(modes.flags.CS7, true);
  assert.equal(modes.flags.CS8, true);
  assert.equal(parseSttyAll('stty: not a tty'), undefined);
});

test('control character notation', () => {
  assert.equal(decodeCharacter('^C'), 3);
  assert.equal(decodeCharacter('^?'), 127);
  assert.equal(decodeCharacter('^\\'), 28);
  assert.equal(decodeCharacter('<undef>'), 255);
  assert.equal(decodeCharacter('M-a'), 0xe1);
  assert.equal(decodeCharacter('M-^C'), 0x83);
  assert.equal(decodeCharacter('x'), 0x78);
  assert.equal(decodeCharacter('what'), undefined);
});

test('encoded modes: RFC 4254 §8 layout in OpenSSH order, ending with TTY_OP_END', () => {
  const encoded = encodeTerminalModes(parseSttyAll(LINUX_STTY)!);
  const r = new SshReader(encoded, 'modes');
  const ops: Array<[number, number]> = [];
  for (;;) {
    const op = r.byte();
    if (op === 0) break;
    ops.push([op, r.uint32()]);
  }
  r.end();
  assert.deepEqual(ops.slice(0, 3), [[129, 9600], [128, 9600], [1, 3]]);
  const opcodes = ops.map(([op]) => op);
  // The Linux set OpenSSH 9.2 sends: 14 characters, then every flag it knows there.
  assert.deepEqual(opcodes.slice(2, 16), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 18]);
  assert.deepEqual(opcodes.slice(16), [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 70, 71, 72, 73, 74, 75, 90, 91, 92, 93]);
  assert.deepEqual(Object.fromEntries(ops.filter(([op]) => op === 3 || op === 41 || op === 56)), { 3: 8, 41: 1, 56: 0 });
  assert.deepEqual([...encodeTerminalModes(NO_TERMINAL_MODES)], [0]);
  assert.equal(encodeTerminalModes(DEFAULT_TERMINAL_MODES).length, 1 + 2 * 5 + (14 + 36) * 5);
});

test('raw mode is OpenSSH enter_raw_mode, output processing off included', () => {
  const linux = rawModeArguments('linux');
  for (const word of ['-icanon', '-echo', '-isig', '-iexten', '-icrnl', '-ixon', '-opost', 'ignpar', '-iuclc']) assert.ok(linux.includes(word), word);
  assert.deepEqual(linux.slice(-4), ['min', '1', 'time', '0']);
  assert.ok(!rawModeArguments('darwin').includes('-iuclc'));
});
