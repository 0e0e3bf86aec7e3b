import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  license: string;
  type: string;
  engines: { node: string };
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean };

/** The files `npm pack` puts in the tarball (without building: dist/ is left out of this list). */
function packedFiles(): Set<string> {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return new Set((JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
}

/** Relative link targets of a markdown file (anchors dropped), as paths from the package root. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!.split('#')[0]!)
    .filter((target) => target !== '' && !/^[a-z]+:/.test(target))
    .map((target) => normalize(join(dirname(file), target)));
}

describe('the package as published', () => {
  const files = packedFiles();

  it('ships its LICENSE, README, docs, the examples the README links to, the CLI and its TypeScript source (without tests)', () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/factline.js', 'docs/consumers.md', 'docs/cli.md', 'examples/quickstart/main.ts', 'src/index.ts', 'src/consumer/invoke.ts']) {
      expect(files, f).toContain(f);
    }
    expect([...files].filter((f) => /\.test\.ts$|^test\/|^bench\//.test(f))).toEqual([]);
  });

  it('has no dead relative link in the README or the docs it ships', () => {
    const docs = [...files].filter((f) => /^docs\/.*\.md$/.test(f));
    expect(docs.length).toBeGreaterThan(5);
    for (const doc of ['README.md', ...docs]) {
      for (const target of relativeLinks(doc)) expect(files, `${doc} links to ${target}`).toContain(target);
    }
  });

  it('says it is an ES module package, and exports every subpath with its types', () => {
    expect(pkg.type).toBe('module');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('It is an ES module package (`"type": "module"`)');
    for (const [path, target] of Object.entries(pkg.exports)) {
      if (path === './package.json') continue;
      expect(target, path).toMatchObject({ types: expect.stringMatching(/^\.\/dist\/.*\.d\.ts$/), default: expect.stringMatching(/^\.\/dist\/.*\.js$/) });
      expect(readme, `the README names ${path}`).toContain(`\`factline${path.slice(1)}\``);
    }
  });

  it('depends on the types its .d.ts files import (better-sqlite3 for SqliteDb), and on the dashboard\'s HTTP library', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@hono/node-server', '@types/better-sqlite3', 'better-sqlite3', 'hono']);
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['pg', 'vitest', 'zod']);
  });

  it('installs for development without an engine warning on Node 20.19 and on this Node', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (range === undefined || path === '') continue;
      for (const node of ['20.19.0', process.versions.node]) {
        if (!semver.satisfies(node, range)) refused.push(`${path} wants node ${range}, not ${node}`);
      }
    }
    expect(refused).toEqual([]);
    expect(semver.satisfies('20.0.0', pkg.engines.node)).toBe(true);
  });
});
