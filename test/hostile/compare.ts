/**
 * Development aid: runs tssh and OpenSSH's ssh against the same hostile-server scenario and prints
 * what each said, to find the exact OpenSSH wording a test should expect.
 *
 *   npx tsc -p tsconfig.json && node dist/test/hostile/compare.js [part-of-a-scenario-name ...]
 */
import { runClient, TSSH_BIN } from '../support/run.js';
import { startHostileServer } from '../support/hostile-server.js';
import { SCENARIOS } from './scenarios.js';

const names = process.argv.slice(2);
for (const scenario of SCENARIOS) {
  if (names.length > 0 && !names.some((name) => scenario.name.includes(name))) continue;
  for (const [label, bin] of [['ssh', 'ssh'], ['tssh', TSSH_BIN]] as const) {
    const server = await startHostileServer(scenario.script);
    const started = Date.now();
    try {
      const r = await runClient(bin, [...(scenario.clientFlags ?? []), ...server.clientArgs(), 'cmd'], { timeoutMs: scenario.timeoutMs ?? 20_000 });
      const out = r.stdout.length > 200 ? `${r.stdout.length} bytes` : JSON.stringify(r.stdout.toString('latin1'));
      console.log(`== ${scenario.name} [${label}] exit ${r.code}${r.signal ? ` signal ${r.signal}` : ''} in ${Date.now() - started} ms, stdout ${out}\n${r.stderr.trimEnd()}`);
    } catch (err) {
      console.log(`== ${scenario.name} [${label}] FAILED: ${(err as Error).message}`);
    }
    if (server.scriptErrors.length > 0) console.log(`   script errors: ${server.scriptErrors.join('\n')}`);
    await server.stop();
  }
}
