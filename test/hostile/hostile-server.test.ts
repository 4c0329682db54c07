/**
 * tssh against the scripted hostile server: one test per fault. Each asserts tssh's exact stderr
 * (OpenSSH's wording), its exit status, that no stack trace escaped, and that stdout is exactly what
 * the server sent or a prefix of it. Where tssh claims to match OpenSSH, the test runs OpenSSH's ssh
 * against the same server and holds it to the same expectations.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { runClient, TSSH_BIN, type ClientResult } from '../support/run.js';
import { startHostileServer } from '../support/hostile-server.js';
import { SCENARIOS } from './scenarios.js';
import { stderrPattern, type Scenario } from './scenario.js';

function check(label: string, scenario: Scenario, r: ClientResult, port: number): void {
  const what = `${label}: ${scenario.name}\nstderr: ${JSON.stringify(r.stderr)}`;
  assert.equal(r.signal, null, what);
  assert.equal(r.code, scenario.status ?? 255, what);
  assert.match(r.stderr, stderrPattern(scenario.stderr, port), what);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error|TypeError|RangeError/, what);
  if (scenario.stdoutPrefixOf) {
    const sent = scenario.stdoutPrefixOf;
    assert.ok(r.stdout.length <= sent.length && sent.subarray(0, r.stdout.length).equals(r.stdout), `${what}\nstdout (${r.stdout.length} bytes) is not a prefix of what the server sent`);
  } else {
    assert.ok(r.stdout.equals(Buffer.from(scenario.stdout ?? '')), `${what}\nstdout: ${JSON.stringify(r.stdout.subarray(0, 200).toString('latin1'))}`);
  }
}

describe('hostile server', { concurrency: 4 }, () => {
  for (const scenario of SCENARIOS) {
    test(scenario.name, async () => {
      const server = await startHostileServer(scenario.script);
      try {
        const args = [...(scenario.clientFlags ?? []), ...server.clientArgs(), 'cmd'];
        const options = { timeoutMs: scenario.timeoutMs ?? 20_000 };
        // ConnectTimeout scenarios hold the connection open for ever: their "timed out" message is the proof.
        const tssh = await runClient(TSSH_BIN, args, options);
        check('tssh', scenario, tssh, server.port);
        if (scenario.openssh === 'same') check('OpenSSH ssh', scenario, await runClient('ssh', args, options), server.port);
        await server.stop();
        assert.deepEqual(server.scriptErrors, [], 'the hostile server script itself failed');
      } finally {
        await server.stop();
      }
    });
  }
});
