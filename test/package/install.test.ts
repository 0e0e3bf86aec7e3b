/**
 * The package as a new user gets it: `npm pack` (which builds it), the tarball installed into a
 * new project with zod and pg, a program that uses ctx.db on both engines typechecked with
 * `skipLibCheck: false` (and lines that must not compile), run, and the installed `factline`
 * command run against its logs. Needs the npm registry: without it the test skips with a loud
 * message, and fails under CI=true. The PostgreSQL part skips like the other PostgreSQL tests.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshSchema, PG_URL, pgAvailable } from '../postgres/pg-test.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const run = promisify(execFile);

async function registryReachable(): Promise<boolean> {
  const r = spawnSync('npm', ['ping', '--fetch-timeout=10000', '--fetch-retries=0'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (r.status === 0) return true;
  const why = (r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-1)[0];
  if (process.env.CI === 'true') throw new Error(`the npm registry is unreachable and CI=true: the packaging test must run in CI (${why})`);
  console.warn(`\n!!! the npm registry is unreachable (${why}): SKIPPING the packaging test (npm pack, install, typecheck, run).\n`);
  return false;
}

const online = await registryReachable();

/** The version of `name` this repository has installed, so that the new project reuses npm's cache. */
const installed = (name: string) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** Lines of bad.ts that must not compile; the test checks tsc reports each, and nothing else. */
const BAD = `import { z } from 'zod';
import { createFactline, defineEvent } from 'factline';
import { sqliteEngine } from 'factline/sqlite';
import { postgresEngine } from 'factline/postgres';

const Placed = defineEvent({ type: 'a.placed', version: 1, schema: z.object({ id: z.string() }), subject: (d) => d.id });
const lite = createFactline({ engine: sqliteEngine({ file: 'x.db' }), source: 'a/b' });
lite.consumer('g').on(Placed, (event, ctx) => {
  ctx.db.prepare(123); // must fail: TS2345
  const id: number = event.data.id; // must fail: TS2322
  void id;
});
await lite.transaction(async (tx) => {
  tx.db.prepare(123); // must fail: TS2345
});
const pg = createFactline({ engine: postgresEngine({ connectionString: 'postgres://x' }), source: 'a/b' });
pg.consumer('g').on(Placed, async (_event, ctx) => {
  await ctx.db.query(123); // must fail: TS2345
});
`;

const compilerOptions = {
  target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'], types: ['node'],
  strict: true, skipLibCheck: false, sourceMap: true, outDir: 'out', rootDir: '.',
};

describe.skipIf(!online)('the packed package, installed into a new project', () => {
  let work: string;
  let app: string;
  let pkgDir: string;
  type Compiled = { code: number; out: string; all: string };
  const compiled: { nodenext?: Compiled; bundler?: Compiled; bad?: Compiled } = {};

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'factline-package-'));
    // 1. npm pack from a copy of the package (its prepack script builds dist/ there), so that the
    //    repository's own dist/ and the tests running beside this one are left alone.
    const stage = join(work, 'stage');
    mkdirSync(stage);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'src', 'docs', 'examples']) {
      cpSync(join(ROOT, f), join(stage, f), { recursive: true, filter: (p) => !p.includes(`${join('examples', 'shop', '.data')}`) });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules'), 'dir');
    await run('npm', ['pack', '--pack-destination', work], { cwd: stage, timeout: 180_000 });
    const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);

    // 2. A new project: the tarball, zod and pg, nothing else of this repository's.
    app = join(work, 'orders-service');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'orders-service', private: true, type: 'module' }, null, 2));
    await run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball, `zod@${installed('zod')}`, `pg@${installed('pg')}`, `@types/node@${installed('@types/node')}`], { cwd: app, timeout: 180_000 });
    pkgDir = join(app, 'node_modules', 'factline');
    // better-sqlite3's native build is the one slow install step; the repository's build of the same version is that same file.
    const binding = join('build', 'Release', 'better_sqlite3.node');
    if (installed('better-sqlite3') === (JSON.parse(readFileSync(join(app, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as { version: string }).version) {
      mkdirSync(dirname(join(app, 'node_modules', 'better-sqlite3', binding)), { recursive: true });
      copyFileSync(join(ROOT, 'node_modules', 'better-sqlite3', binding), join(app, 'node_modules', 'better-sqlite3', binding));
    } else {
      await run('npm', ['rebuild', 'better-sqlite3'], { cwd: app, timeout: 600_000 });
    }

    // 3. The program, the README's example as the README gives it, and the lines that must fail.
    copyFileSync(join(ROOT, 'test', 'package', 'app', 'main.ts'), join(app, 'main.ts'));
    copyFileSync(join(ROOT, 'examples', 'quickstart', 'main.ts'), join(app, 'readme.ts'));
    writeFileSync(join(app, 'bad.ts'), BAD);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['main.ts', 'readme.ts'] }, null, 2));
    writeFileSync(join(app, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'ESNext', moduleResolution: 'Bundler', noEmit: true }, files: ['main.ts', 'readme.ts'] }, null, 2));
    writeFileSync(join(app, 'tsconfig.bad.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true }, files: ['bad.ts'] }, null, 2));

    // 4. Compile (out/ is written even when there are type errors; the first test judges them).
    const tsc = (project: string) => run(process.execPath, [TSC, '-p', project], { cwd: app }).then(
      ({ stdout, stderr }) => ({ code: 0, out: stdout, all: `${stdout}${stderr}` }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout, all: `${err.stdout}${err.stderr}` }),
    );
    [compiled.nodenext, compiled.bundler, compiled.bad] = await Promise.all([tsc('tsconfig.json'), tsc('tsconfig.bundler.json'), tsc('tsconfig.bad.json')]);
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Runs a command in the new project; its exit code and output. */
  const sh = (file: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) => {
    const r = spawnSync(file, args, { cwd: options.cwd ?? app, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FACTLINE_DB: '', FACTLINE_URL: '', ...options.env } });
    return { code: r.status, out: r.stdout, err: r.stderr, all: `${r.stdout}${r.stderr}` };
  };
  const factline = (args: readonly string[]) => sh(join(app, 'node_modules', '.bin', 'factline'), args);

  it('typechecks with skipLibCheck: false, and ctx.db / tx.db are typed on both engines', () => {
    const { nodenext, bundler, bad } = compiled as Required<typeof compiled>;
    expect(nodenext.all).toBe('');
    expect(nodenext.code).toBe(0);
    expect(bundler.all).toBe('');
    expect(bundler.code).toBe(0);
    expect(existsSync(join(app, 'node_modules', '@types', 'better-sqlite3')), 'installed as a dependency of factline').toBe(true);

    expect(bad.code).toBe(2);
    const expected = BAD.split('\n').flatMap((line, i) => {
      const code = /must fail: (TS\d+)/.exec(line)?.[1];
      return code ? [`bad.ts(${i + 1},${code}`] : [];
    });
    const reported = bad.out.trim().split('\n').map((line) => {
      const m = /^(.+?)\((\d+),\d+\): error (TS\d+)/.exec(line);
      return m ? `${m[1]}(${m[2]},${m[3]}` : line;
    });
    expect(reported).toEqual(expected);
  });

  it('runs on SQLite, and the installed factline command reads its log; stacks point at shipped files', () => {
    const file = join(app, 'orders.db');
    const r = sh(process.execPath, ['--enable-source-maps', join('out', 'main.js'), 'sqlite', file]);
    expect(r.code, r.all).toBe(0);
    const summary = JSON.parse(r.out.trim().split('\n').pop()!) as { invoices: number; receipts: number; deadLetter: string; typed: boolean };
    expect(summary).toMatchObject({ invoices: 3, receipts: 3, typed: true });

    const lag = factline(['lag', '--db', file, '--json']);
    expect(lag.code, lag.err).toBe(0);
    const groups = (JSON.parse(lag.out) as { groups: { group: string; lag: number; openDeadLetters: number; ownedPartitions: number }[] }).groups;
    // All handled, the dead letter open, and no lease left held by the stopped app.
    expect(groups.map((g) => [g.group, g.lag, g.openDeadLetters, g.ownedPartitions])).toEqual([['billing', 0, 0, 0], ['fraud', 0, 1, 0], ['receipts', 0, 0, 0]]);

    const list = factline(['dlq', 'list', '--db', file]);
    expect(list.out).toContain('no risk profile for NO');
    const show = factline(['dlq', 'show', summary.deadLetter, '--db', file, '--json']);
    expect(show.code, show.err).toBe(0);
    const stack = (JSON.parse(show.out) as { errors: { stack: string }[] }).errors[0]!.stack;
    const frames = [...stack.matchAll(/\((\/[^():]+):\d+:\d+\)|at (\/[^():]+):\d+:\d+/g)].map((m) => m[1] ?? m[2]!);
    const ours = frames.filter((f) => f.startsWith(pkgDir));
    expect(ours.length, stack).toBeGreaterThan(0);
    for (const f of ours) expect(existsSync(f), `${f} named in the stack exists`).toBe(true);
    expect(ours.some((f) => f.endsWith('.ts')), 'source-mapped to the shipped TypeScript').toBe(true);

    const events = factline(['events', 'show', 'no-such-id', '--db', file]);
    expect(events.code).toBe(1);
    expect(events.err).toMatch(/^factline: /);
    expect(factline(['lag', '--db', file, '--schema', 'x']).code).toBe(2);
  });

  it.skipIf(!pgAvailable)('runs on PostgreSQL, and the installed factline command reads its log', () => {
    const schema = freshSchema('package');
    const r = sh(process.execPath, ['--enable-source-maps', join('out', 'main.js'), 'postgres', PG_URL, schema]);
    expect(r.code, r.all).toBe(0);
    expect(JSON.parse(r.out.trim().split('\n').pop()!)).toMatchObject({ engine: 'postgres', invoices: 3, typed: true });
    const lag = factline(['lag', '--url', PG_URL, '--schema', schema, '--json']);
    expect(lag.code, lag.err).toBe(0);
    expect((JSON.parse(lag.out) as { groups: { group: string; openDeadLetters: number }[] }).groups.map((g) => [g.group, g.openDeadLetters])).toEqual([['billing', 0], ['fraud', 1]]);
    expect(factline(['dlq', 'list', '--url', PG_URL, '--schema', schema]).out).toContain('no risk profile for NO');
    const bad = factline(['lag', '--url', PG_URL, '--schema', 'Bad-Name']);
    expect(bad.code).toBe(2);
  });

  it('serves the dashboard from the installed package: compiled pages and assets, read-only without a token', async () => {
    const file = join(app, 'orders.db');
    const child = spawn(join(app, 'node_modules', '.bin', 'factline'), ['dashboard', '--db', file, '--port', '0', '--json'], {
      cwd: app, env: { ...process.env, FACTLINE_DB: '', FACTLINE_URL: '', FACTLINE_DASHBOARD_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '', err = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        child.once('exit', (code) => reject(new Error(`factline dashboard exited ${code}: ${err}`)));
      });
      const { url, readOnly } = JSON.parse(line) as { url: string; readOnly: boolean };
      expect(readOnly).toBe(true);
      const overview = await fetch(`${url}api/overview`);
      expect(((await overview.json()) as { groups: { group: string; openDeadLetters: number }[] }).groups.find((g) => g.group === 'fraud')?.openDeadLetters).toBe(1);
      expect(await (await fetch(`${url}dead-letters`)).text()).toContain('no risk profile for NO');
      const js = await fetch(`${url}assets/app.js`);
      expect(js.headers.get('content-type')).toContain('javascript');
      expect(await js.text()).toContain('factline-token');
      expect((await fetch(`${url}assets/style.css`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it("runs the README's example as it is shipped, and the examples from node_modules/factline as their headers say", () => {
    const readme = sh(process.execPath, [join('out', 'readme.js')]);
    expect(readme.code, readme.all).toBe(0);
    expect(readme.out).toMatch(/invoiced order-\d+; e-mailed ana@example\.com/);
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    for (const example of ['quickstart', 'effects', 'dashboard']) {
      const header = readFileSync(join(pkgDir, 'examples', example, 'main.ts'), 'utf8');
      expect(header).toContain(`npx tsx node_modules/factline/examples/${example}/main.ts`);
      const cwd = mkdtempSync(join(work, `${example}-`));
      // The dashboard example serves until Ctrl-C unless told to check itself once.
      const r = sh(tsx, [join(pkgDir, 'examples', example, 'main.ts'), example === 'dashboard' ? '--once' : join(cwd, 'shop.db')], { cwd });
      expect(r.code, r.all).toBe(0);
    }
  });

  it('imports each subpath without vitest installed; require() works on this Node', () => {
    expect(existsSync(join(app, 'node_modules', 'vitest'))).toBe(false);
    const esm = sh(process.execPath, ['--input-type=module', '-e', [
      "import { eventually, memoryLogger } from 'factline/testing/helpers';",
      "import { createFactline } from 'factline'; import { sqliteEngine } from 'factline/sqlite'; import { postgresEngine } from 'factline/postgres';",
      "import { createDashboard } from 'factline/dashboard'; if (typeof createDashboard !== 'function') throw new Error('factline/dashboard');",
      "const app = createFactline({ engine: sqliteEngine({ file: ':memory:' }), source: 'a/b', logger: memoryLogger() });",
      "await app.start(); console.log(await eventually('a value', () => typeof postgresEngine)); await app.stop();",
    ].join('\n')]);
    expect(esm.all.trim()).toBe('function');
    const testing = sh(process.execPath, ['--input-type=module', '-e', "await import('factline/testing')"]);
    expect(testing.code).not.toBe(0);
    expect(testing.err).toContain("Cannot find package 'vitest'");
    const cjs = sh(process.execPath, ['-e', "for (const p of ['factline', 'factline/sqlite', 'factline/postgres', 'factline/dashboard', 'factline/testing/helpers']) if (Object.keys(require(p)).length === 0) throw new Error(p); console.log('ok')"]);
    expect(cjs.all.trim()).toBe('ok');
  });

  it('ships the files the README and docs link to, the LICENSE, and no tests', () => {
    const links = (doc: string) => [...readFileSync(join(pkgDir, doc), 'utf8').matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));
    for (const doc of ['README.md', ...readdirSync(join(pkgDir, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]) {
      for (const target of links(doc)) expect(existsSync(join(pkgDir, normalize(join(dirname(doc), target)))), `${doc} -> ${target}`).toBe(true);
    }
    expect(readFileSync(join(pkgDir, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(existsSync(join(pkgDir, 'test'))).toBe(false);
  });
});
