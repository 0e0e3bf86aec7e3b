import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { openStore, resolveTarget } from './connect.js';
import type { Command, Io, Values } from './command-kit.js';
import { compareFiles, parseMode, renderCompare } from './schema-compare.js';
import { loadDefinitions } from './schema-module.js';
import { registryView, renderRegistryList, renderRegistryShow } from './schema-registry-view.js';
import { UsageError } from './usage-error.js';
import { catalogOf, type CatalogType } from '../schema/catalog.js';
import { checkLock, lockOf, parseLock } from '../schema/lock-file.js';
import { asyncApiDocument } from '../schema/asyncapi.js';
import type { JsonSchema } from '../schema/json-schema.js';
import type { CompatibilityMode } from '../core/compatibility-mode.js';

const str = (v: Values, name: string): string | undefined => (typeof v[name] === 'string' ? (v[name] as string) : undefined);

const DEFAULT_LOCK = 'factline.schemas.lock.json';

const lockOption = { lock: { type: 'string' as const, placeholder: 'file', description: `the lock file (default ${DEFAULT_LOCK})` } };

async function withLog<T>(v: Values, fn: (engine: Awaited<ReturnType<typeof openStore>>['engine']) => Promise<T>): Promise<T> {
  const store = await openStore(resolveTarget({ db: str(v, 'db'), url: str(v, 'url'), schema: str(v, 'schema') }));
  try {
    return await fn(store.engine);
  } finally {
    await store.close();
  }
}

function emit(io: Io, data: unknown, text: string): void {
  io.out(io.json ? JSON.stringify(data, null, 2) : text);
}

/** The catalog of a log's registry, for the AsyncAPI export. */
async function registryCatalog(v: Values): Promise<CatalogType[]> {
  return withLog(v, async (engine) => {
    const byType = new Map<string, CatalogType>();
    for (const r of await engine.admin.schemas()) {
      const t = byType.get(r.type) ?? { type: r.type, compatibility: r.compatibility as CompatibilityMode, versions: [] };
      byType.set(r.type, { ...t, compatibility: r.compatibility as CompatibilityMode, versions: [...t.versions, { version: r.version, fingerprint: r.fingerprint, schema: JSON.parse(r.schema) as JsonSchema }] });
    }
    return [...byType.values()];
  });
}

/** `factline schema ...`: compatibility checks in CI, the registry of a log, AsyncAPI export. */
export const SCHEMA_COMMANDS: readonly Command[] = [
  {
    path: ['schema', 'compare'],
    args: [{ name: 'old.json', required: true }, { name: 'new.json', required: true }],
    summary: 'compare two JSON Schema files under a compatibility mode (exit 0 compatible, 1 breaking, 2 usage error)',
    details: 'Modes: BACKWARD (default: consumers of the new schema read events of the old one), FORWARD (consumers\n'
      + 'of the old schema read events of the new one), FULL (both), their _TRANSITIVE forms (the same for two\n'
      + 'files) and NONE. Each break names the field, the rule and who cannot read what.',
    options: {
      mode: { type: 'string', placeholder: 'mode', description: 'BACKWARD (default), FORWARD, FULL, ..._TRANSITIVE or NONE' },
    },
    run: async (v, [older, newer], io) => {
      const result = compareFiles(older!, newer!, parseMode(str(v, 'mode')));
      io.out(io.json ? JSON.stringify(result, null, 2) : renderCompare(result));
      return result.compatible ? 0 : 1;
    },
  },
  {
    path: ['schema', 'lock'],
    args: [{ name: 'module', required: true }],
    summary: 'write the lock file from the event definitions a module exports (commit it)',
    details: 'The module is imported: a compiled .js module, or a .ts module when factline runs under tsx\n'
      + '(npx tsx node_modules/factline/bin/factline.js schema lock src/events.ts).',
    options: lockOption,
    run: async (v, [module], io) => {
      const catalog = catalogOf(await loadDefinitions(module!));
      const file = str(v, 'lock') ?? DEFAULT_LOCK;
      writeFileSync(file, `${JSON.stringify(lockOf(catalog), null, 2)}\n`);
      const versions = catalog.reduce((n, t) => n + t.versions.length, 0);
      emit(io, { lock: file, types: catalog.length, versions }, `wrote ${file}: ${catalog.length} event type${catalog.length === 1 ? '' : 's'}, ${versions} version${versions === 1 ? '' : 's'}`);
    },
  },
  {
    path: ['schema', 'check'],
    args: [{ name: 'module', required: true }],
    summary: 'compare a module\'s event definitions with the lock file (exit 1 on a breaking change)',
    details: 'A locked version whose schema changed breaks; a new version breaks when it is incompatible, under\n'
      + 'its type\'s compatibility mode, with the older versions. Each break prints the type, version, field\n'
      + 'and rule. Exit 0: no break; 1: breaking changes; 2: usage error (no lock file, no module).',
    options: lockOption,
    run: async (v, [module], io) => {
      const file = str(v, 'lock') ?? DEFAULT_LOCK;
      if (!existsSync(file)) throw new UsageError(`no lock file at ${file}: write one with factline schema lock ${module} and commit it`);
      const lock = parseLock(readFileSync(file, 'utf8'), file);
      const catalog = catalogOf(await loadDefinitions(module!));
      const findings = checkLock(lock, catalog);
      const breaks = findings.filter((f) => f.breaking);
      const lines = findings.map((f) => `${f.breaking ? 'BREAK' : 'note '}  ${f.type}${f.version ? ` v${f.version}` : ''}  ${f.path || '-'}  [${f.rule}]  ${f.message}`);
      const summary = breaks.length
        ? `${breaks.length} breaking change${breaks.length === 1 ? '' : 's'} against ${file}`
        : `no breaking change against ${file} (${catalog.length} event types checked)`;
      emit(io, { lock: file, compatible: breaks.length === 0, findings }, [...lines, summary].join('\n'));
      return breaks.length ? 1 : 0;
    },
  },
  {
    path: ['schema', 'list'],
    args: [],
    summary: 'the schema registry of a log: every type and version, its producers and the groups that handle it (live or not)',
    options: {},
    run: (v, _a, io) =>
      withLog(v, async (engine) => {
        const list = await registryView(engine);
        emit(io, list.map(({ schema: _s, ...rest }) => rest), renderRegistryList(list));
      }),
  },
  {
    path: ['schema', 'show'],
    args: [{ name: 'type', required: true }],
    summary: 'every registered version of one event type, with its JSON Schema, producers and groups',
    options: {},
    run: (v, [type], io) =>
      withLog(v, async (engine) => {
        const list = await registryView(engine, type);
        emit(io, list, renderRegistryShow(type!, list));
      }),
  },
  {
    path: ['schema', 'export'],
    args: [{ name: 'module', required: false }],
    summary: 'write the AsyncAPI 3.0 catalog of the event types of a module (or of a log\'s registry)',
    details: 'One channel per event type, one message per version with its JSON Schema as payload and the\n'
      + 'CloudEvents attributes as headers. Without <module>, the catalog comes from the log (--db/--url).',
    options: {
      asyncapi: { type: 'boolean', description: 'AsyncAPI 3.0 (the only format; required)' },
      out: { type: 'string', placeholder: 'file', description: 'write to this file instead of stdout' },
      title: { type: 'string', placeholder: 'title', description: 'info.title (default "Factline events")' },
      'api-version': { type: 'string', placeholder: 'version', description: 'info.version (default 1.0.0)' },
    },
    run: async (v, [module], io) => {
      if (v.asyncapi !== true) throw new UsageError('schema export needs --asyncapi (the only format it writes)');
      const catalog = module !== undefined ? catalogOf(await loadDefinitions(module)) : await registryCatalog(v);
      const doc = asyncApiDocument(catalog, { title: str(v, 'title') ?? 'Factline events', version: str(v, 'api-version') ?? '1.0.0' });
      const text = JSON.stringify(doc, null, 2);
      const out = str(v, 'out');
      if (out === undefined) return void io.out(text);
      writeFileSync(out, `${text}\n`);
      process.stderr.write(`wrote ${out}: ${catalog.length} channels\n`);
    },
  },
];
