import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EscapeFilter, escapeHelp, type EscapeEvent } from '../../src/cli/escape.js';
import { LineEditor, runCommandLine } from '../../src/cli/escape-commandline.js';
import type { ForwardingControl } from '../../src/connect/forwarding-control.js';
import { silentLogger } from '../../src/log.js';

/** Feeds chunks and renders the events: data as text, commands as <name>, takeover rests as [rest]. */
function run(filter: EscapeFilter, ...chunks: string[]): string {
  const render = (event: EscapeEvent): string =>
    event.kind === 'data' ? event.data.toString('latin1') : `<${event.command}>${event.rest && event.rest.length > 0 ? `[${event.rest.toString('latin1')}]` : ''}`;
  return chunks.map((chunk) => filter.filter(Buffer.from(chunk, 'latin1')).map(render).join('')).join('|');
}

test('escapes are recognised only at the start and right after CR or LF', () => {
  assert.equal(run(new EscapeFilter(0x7e), '~?'), '<help>');
  assert.equal(run(new EscapeFilter(0x7e), 'a~?'), 'a~?');
  assert.equal(run(new EscapeFilter(0x7e), 'ls\r~#'), 'ls\r<list>');
  assert.equal(run(new EscapeFilter(0x7e), 'ls\n~B'), 'ls\n<break>');
  // Split across reads: the pending escape survives the chunk boundary.
  assert.equal(run(new EscapeFilter(0x7e), 'x\r~', 'R'), 'x\r|<rekey>');
  // A command keeps the "after newline" state, so escapes can follow each other.
  assert.equal(run(new EscapeFilter(0x7e), '~?~V~v~\x1a'), '<help><quieter><louder><suspend>');
});

test('~~ sends one ~, ~x sends both, and an escape then text is ordinary text', () => {
  assert.equal(run(new EscapeFilter(0x7e), '~~'), '~');
  assert.equal(run(new EscapeFilter(0x7e), '~~~.'), '~~.'); // after "~~" the line no longer starts fresh
  assert.equal(run(new EscapeFilter(0x7e), '~x'), '~x');
  assert.equal(run(new EscapeFilter(0x7e), '~\r~.'), '~\r<disconnect>');
});

test('~. ~& and ~C take over the rest of the input', () => {
  assert.equal(run(new EscapeFilter(0x7e), 'ok\r~.ignored'), 'ok\r<disconnect>[ignored]');
  assert.equal(run(new EscapeFilter(0x7e), '~&'), '<background>');
  assert.equal(run(new EscapeFilter(0x7e), '~C-L 80\r'), '<commandline>[-L 80\r]');
});

test('another escape character (-e ^A) and ~ then is plain text', () => {
  const filter = new EscapeFilter(1);
  assert.equal(run(filter, '~.\r\x01.'), '~.\r<disconnect>');
  assert.equal(run(new EscapeFilter(1), '\x01\x01'), '\x01');
});

test('~? is ssh 10.x help text, byte for byte (9.8 added ~I)', () => {
  const expected =
    '~?\r\n' +
    'Supported escape sequences:\r\n' +
    ' ~.   - terminate connection (and any multiplexed sessions)\r\n' +
    ' ~B   - send a BREAK to the remote system\r\n' +
    ' ~I   - show connection information\r\n' +
    ' ~R   - request rekey\r\n' +
    ' ~V/v - decrease/increase verbosity (LogLevel)\r\n' +
    ' ~^Z  - suspend ssh\r\n' +
    ' ~#   - list forwarded connections\r\n' +
    ' ~&   - background ssh (when waiting for connections to terminate)\r\n' +
    ' ~?   - this message\r\n' +
    ' ~~   - send the escape character by typing it twice\r\n' +
    '(Note that escapes are only recognized immediately after newline.)\r\n';
  assert.equal(escapeHelp(0x7e, false), expected);
  const withCommandLine = escapeHelp(0x7e, true);
  assert.ok(withCommandLine.includes(' ~B   - send a BREAK to the remote system\r\n ~C   - open a command line\r\n ~I   - show connection information\r\n'));
  assert.ok(escapeHelp(0x25, false).startsWith('%?\r\nSupported escape sequences:\r\n %.   - terminate'));
});

test('the ssh> line editor: typing, backspace, ^U, ^W, Enter, cancel', () => {
  const editor = new LineEditor();
  assert.deepEqual(editor.feed(Buffer.from('-L 1')), { echo: '-L 1' });
  assert.deepEqual(editor.feed(Buffer.from('\x7f2')), { echo: '\b \b2' });
  const done = editor.feed(Buffer.from('\rrest'));
  assert.equal(done.line, '-L 2');
  assert.equal(done.echo, '\r\n');
  assert.equal(done.rest?.toString(), 'rest');
  const words = new LineEditor();
  words.feed(Buffer.from('-KL 80'));
  assert.equal(words.feed(Buffer.from('\x17')).echo, '\b \b'.repeat(2));
  assert.equal(words.feed(Buffer.from('\x15')).echo, '\b \b'.repeat(4));
  assert.equal(new LineEditor().feed(Buffer.from('abc\x03')).line, null);
  assert.equal(new LineEditor().feed(Buffer.from('\x04')).line, null);
});

function recordingLog(): { lines: string[]; log: typeof silentLogger } {
  const lines: string[] = [];
  return { lines, log: { ...silentLogger, info: (m: string) => lines.push(m) } };
}

test('~C commands give ssh messages; without forwarding support they say so', async () => {
  const calls: string[] = [];
  const forwarding: ForwardingControl = {
    listConnections: () => [],
    request: async (kind, spec) => (calls.push(`request ${kind} ${spec}`), spec === 'bad' ? 'bad-specification' : spec === 'busy' ? 'failed' : 'ok'),
    cancel: async (kind, spec) => (calls.push(`cancel ${kind} ${spec}`), spec === '9' ? 'unknown' : 'ok'),
    stopListening: () => {},
  };
  const cases: Array<[string, string[]]> = [
    ['-L 8080:localhost:80', ['Forwarding port.']],
    ['R bad', ['Bad remote forwarding specification.']],
    ['-D bad', ['Bad local forwarding specification.']],
    ['-Lbusy', ['Port forwarding failed.']],
    ['-KR 8080', ['Canceled forwarding.']],
    ['-KD 9', ['Unknown port forwarding.']],
    ['-x', ['Invalid command.']],
    ['', []],
  ];
  for (const [line, expected] of cases) {
    const { lines, log } = recordingLog();
    await runCommandLine(line, forwarding, log);
    assert.deepEqual(lines, expected, line);
  }
  assert.deepEqual(calls, ['request local 8080:localhost:80', 'request remote bad', 'request dynamic bad', 'request local busy', 'cancel remote 8080', 'cancel dynamic 9']);
  const help = recordingLog();
  await runCommandLine('-h', forwarding, help.log);
  assert.equal(help.lines[0], 'Commands:');
  assert.equal(help.lines[1], '      -L[bind_address:]port:host:hostport    Request local forward');
  assert.equal(help.lines.length, 7);
  const none = recordingLog();
  await runCommandLine('-L 8080:localhost:80', undefined, none.log);
  assert.deepEqual(none.lines, ['Port forwarding is not supported by tssh yet.']);
});
