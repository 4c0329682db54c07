import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitScript } from '../support/regress-parts.js';

/** A regress-style script: setup, subtests (one with a blank line inside its loop), clean-up. */
const SCRIPT = [
  'tid="example"',
  'helper() {\n\techo helping\n}',
  'for a in 1 2; do\n\tverbose "alpha $a"\n\n\thelper\ndone',
  'for b in 1; do\n\tverbose "beta $b"\ndone',
  'verbose "gamma"\ntrue',
  'rm -f scratch',
].join('\n\n');

test('regress parts: each part has every setup block and its own subtests, loops kept whole', () => {
  const [alpha, rest] = splitScript(SCRIPT, [
    { name: 'alpha', subtests: /^alpha / },
    { name: 'rest', subtests: undefined },
  ]);
  assert.equal(alpha, ['tid="example"', 'helper() {\n\techo helping\n}', 'for a in 1 2; do\n\tverbose "alpha $a"\n\n\thelper\ndone', 'rm -f scratch'].join('\n\n'));
  assert.equal(rest, ['tid="example"', 'helper() {\n\techo helping\n}', 'for b in 1; do\n\tverbose "beta $b"\ndone', 'verbose "gamma"\ntrue', 'rm -f scratch'].join('\n\n'));
});

test('regress parts: a pattern that matches nothing, or two parts claiming one subtest, fail loudly', () => {
  assert.throws(() => splitScript(SCRIPT, [{ name: 'delta', subtests: /^delta/ }, { name: 'rest', subtests: undefined }]), /no subtest of the script matches part delta/);
  assert.throws(() => splitScript(SCRIPT, [{ name: 'a', subtests: /^alpha/ }, { name: 'b', subtests: /a \$a/ }, { name: 'rest', subtests: undefined }]), /claimed by a and b/);
  assert.throws(() => splitScript(SCRIPT, [{ name: 'a', subtests: /^alpha/ }]), /exactly one part takes the remaining subtests/);
});

test('regress parts: top-level call lines are subtests of their own, and each part can be rewritten', () => {
  const script = ['PORT_A=3320', 'table() {\n\tverbose "row $1"\n}', '# rows\ntable yes Y\ntable no N', 'table() {\n\ttrue\n}'].join('\n\n');
  const parts = [
    { name: 'yes', subtests: /^table yes/ },
    { name: 'rest', subtests: undefined },
  ];
  const [yes, rest] = splitScript(script, parts, { calls: /^table\s/, perPart: (text, index) => text.replace('3320', String(3320 + index)) });
  assert.equal(yes, ['PORT_A=3320', 'table() {\n\tverbose "row $1"\n}', 'table yes Y', 'table() {\n\ttrue\n}'].join('\n\n'));
  assert.equal(rest, ['PORT_A=3321', 'table() {\n\tverbose "row $1"\n}', 'table no N', 'table() {\n\ttrue\n}'].join('\n\n'));
});
