import type { Command, Values } from './commands.js';
import { compareFiles, parseMode, renderCompare } from './schema-compare.js';

const str = (v: Values, name: string): string | undefined => (typeof v[name] === 'string' ? (v[name] as string) : undefined);

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
];
