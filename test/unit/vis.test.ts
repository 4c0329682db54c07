import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cText, decodeText, encodeText } from '../../src/wire/text.js';
import { terminalCharset, visLogLine, visTerminal } from '../../src/text/vis.js';
import { seededRandom } from '../support/memory-pair.js';

test('remote strings decode and encode back to the same bytes, invalid UTF-8 included', () => {
  const random = seededRandom(15);
  for (let round = 0; round < 2000; round++) {
    const bytes = Buffer.from(Array.from({ length: Math.floor(random() * 24) }, () => Math.floor(random() * 256)));
    assert.deepEqual(encodeText(decodeText(bytes)), bytes, bytes.toString('hex'));
  }
  assert.equal(decodeText(Buffer.from('h\u00e9llo', 'utf8')), 'h\u00e9llo');
  assert.equal(decodeText(Buffer.from([0x41, 0x9b, 0xc3])), 'A\udc9b\udcc3');
  assert.equal(cText(Buffer.from('abc\0def')), 'abc');
  assert.equal(cText(Buffer.from('\u00e9\u00e9', 'utf8'), 3), '\u00e9\udcc3');
});

test('log lines are escaped as strnvis(VIS_SAFE | VIS_OCTAL) escapes them', () => {
  assert.equal(visLogLine('a\x1b[31mb\x7f\\c'), 'a\\033[31mb\\177\\\\c');
  // BEL, BS, CR, TAB and LF pass, as VIS_SAFE lets them.
  assert.equal(visLogLine('\x07\x08\r\t\n'), '\x07\x08\r\t\n');
  // Every byte at or above 0x80 is octal, valid UTF-8 or not: U+009B, a raw 0x9b, é.
  assert.equal(visLogLine(decodeText(Buffer.from([0xc2, 0x9b, 0x9b, 0xc3, 0xa9]))), '\\302\\233\\233\\303\\251');
  assert.equal(visLogLine('before\0after'), 'before');
});

test('log lines are cut as ssh cuts them: 1023 bytes in, whole escapes up to 1023 out, then 1021', () => {
  assert.equal(visLogLine('x'.repeat(5000)), 'x'.repeat(1021));
  // 1020 visible bytes then escapes: the first escape does not fit in 1023 and is dropped whole.
  assert.equal(visLogLine(`${'x'.repeat(1020)}\x1b\x1b`), 'x'.repeat(1020));
  // 1017 bytes then escapes: one fits whole (1021), then the cut at 1021 keeps it.
  assert.equal(visLogLine(`${'x'.repeat(1017)}\x1b\x1b`), `${'x'.repeat(1017)}\\033`);
  // 1018: the escape fits in 1023 but the final cut splits it.
  assert.equal(visLogLine(`${'x'.repeat(1018)}\x1b\x1b`), `${'x'.repeat(1018)}\\03`);
  // Raw input is cut at 1023 bytes before escaping.
  assert.equal(visLogLine(`${'x'.repeat(1023)}\x1b`), 'x'.repeat(1021));
});

test('server text for the terminal follows ssh fmprintf: printable UTF-8 passes only in a UTF-8 locale', () => {
  const text = decodeText(Buffer.from([...Buffer.from('a\x1b\u00e9\u65e5\u0378\u2028\\\r\n\t', 'utf8'), 0x9b, 0xc2, 0x9b]));
  assert.equal(visTerminal(text, 'utf-8'), 'a\\033\u00e9\u65e5\\315\\270\\342\\200\\250\\\r\n\t\\233\\302\\233');
  assert.equal(visTerminal(text, 'ascii'), 'a\\033\\303\\251\\346\\227\\245\\315\\270\\342\\200\\250\\\r\n\t\\233\\302\\233');
  assert.equal(visTerminal('\x07\x08\x7f', 'utf-8'), '\\007\\010\\177');
});

test('the terminal charset is the one of the locale ssh would set from LC_ALL, LC_CTYPE and LANG', () => {
  assert.equal(terminalCharset({}), 'ascii');
  assert.equal(terminalCharset({ LANG: 'C.UTF-8' }), 'utf-8');
  assert.equal(terminalCharset({ LANG: 'en_US.utf8', LC_ALL: 'C' }), 'ascii');
  assert.equal(terminalCharset({ LANG: 'C', LC_ALL: '', LC_CTYPE: 'de_DE.UTF-8' }), 'utf-8');
  assert.equal(terminalCharset({ LANG: 'de_DE.ISO-8859-1' }), 'ascii');
});
