/**
 * The package as a Node developer gets it: `npm pack`, installed into an empty project, its `exports`
 * and types used from TypeScript (type-checked with tsc, strict) by the README's examples, which then
 * run against a real sshd, reached through an ssh_config Host alias in the project's own HOME.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSshd, type Sshd } from '../support/sshd.js';
import { isolatedEnv, makeTempDir, REPO_ROOT } from '../support/run.js';

const execFileAsync = promisify(execFile);
let sshd: Sshd;
let project: string;
let home: string;

/** The README's ```ts example=NAME blocks. */
function readmeExamples(): Map<string, string> {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  return new Map([...readme.matchAll(/```ts example=(\w+)\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]));
}

before(async () => {
  sshd = await startSshd();
  const work = makeTempDir('tssh-pack-');
  // --ignore-scripts: npm test has just built dist/ (prepack would build it again).
  await execFileAsync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: REPO_ROOT, timeout: 120_000 });
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');
  project = path.join(work, 'project');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'uses-tssh', private: true, type: 'module' }));
  await execFileAsync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(work, tarball)], { cwd: project, timeout: 300_000 });
  writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        outDir: 'out',
        // The test project borrows this repo's @types/node rather than downloading it.
        typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')],
        types: ['node'],
      },
      include: ['*.ts'],
    }),
  );
  home = makeTempDir('tssh-pack-home-');
  mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(
    path.join(home, '.ssh', 'config'),
    [`Host testhost`, `  HostName 127.0.0.1`, `  Port ${sshd.port}`, `  User ${sshd.user}`, `  IdentityFile ${sshd.userKey}`, `  IdentitiesOnly yes`, `  UserKnownHostsFile ${sshd.knownHosts}`, `  GlobalKnownHostsFile /dev/null`, ''].join('\n'),
    { mode: 0o600 },
  );
});

after(async () => {
  await sshd?.stop();
});

test('the packed package holds the CLI, the library and its types, and no tests', async () => {
  const installed = path.join(project, 'node_modules', 'tssh');
  const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  assert.deepEqual(Object.keys(manifest.exports), ['.', './package.json']);
  assert.ok(readdirSync(path.join(installed, 'dist', 'src')).includes('index.d.ts'));
  assert.ok(!readdirSync(path.join(installed, 'dist')).includes('test'));
  const version = await execFileAsync(path.join(installed, 'bin', 'tssh'), ['-V']);
  assert.match(version.stderr, /^tssh \S+ \(OpenSSH-compatible\)/);
});

test('the installed package builds its start-up snapshot on install (here by hand: the install ran with --ignore-scripts)', async () => {
  const installed = path.join(project, 'node_modules', 'tssh');
  assert.ok(!existsSync(path.join(installed, 'dist', 'tssh.blob')), 'the snapshot is tied to one node binary, so it is not packed');
  const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(manifest.scripts['postinstall'], 'node bin/build-snapshot.mjs');
  const built = await execFileAsync(process.execPath, [path.join(installed, 'bin', 'build-snapshot.mjs')], { cwd: installed, timeout: 180_000 });
  assert.equal(built.stderr, '');
  assert.ok(existsSync(path.join(installed, 'dist', 'tssh.blob')));
  const traced = await execFileAsync('sh', ['-x', path.join(installed, 'bin', 'tssh'), '-V']);
  assert.match(traced.stderr, /^\+ exec \S+ --single-threaded-gc --snapshot-blob /m);
  assert.match(traced.stderr, /^tssh \S+ \(OpenSSH-compatible\)/m);
});

test("the README's examples type-check against the installed types and run against sshd", async () => {
  const examples = readmeExamples();
  assert.deepEqual([...examples.keys()].sort(), ['exec', 'shell', 'tunnel']);
  for (const [name, code] of examples) writeFileSync(path.join(project, `${name}.ts`), code);
  // A misuse must fail the type check, or the check proves nothing.
  writeFileSync(path.join(project, 'misuse.ts'), "import { connect } from 'tssh';\nconst c = await connect('h');\nawait c.exec(42);\n");
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const failed = await execFileAsync(process.execPath, [tsc, '-p', project], { cwd: project }).then(() => '', (err: { stdout: string }) => err.stdout);
  assert.match(failed, /misuse\.ts\(3,\d+\): error TS2345/);
  assert.doesNotMatch(failed, /(exec|shell|tunnel)\.ts/);
  writeFileSync(path.join(project, 'misuse.ts'), 'export {};\n');
  await execFileAsync(process.execPath, [tsc, '-p', project], { cwd: project });

  const run = (name: string) => execFileAsync(process.execPath, [path.join(project, 'out', `${name}.js`), 'testhost'], { cwd: project, env: isolatedEnv(home), timeout: 60_000 });
  assert.equal((await run('exec')).stdout, 'Linux warn 3\n');
  assert.equal((await run('tunnel')).stdout, 'SSH\n');
  const shell = await run('shell');
  assert.match(shell.stdout, /24 80\r?\n/);
  assert.match(shell.stdout, /exit 5\n$/);
});
