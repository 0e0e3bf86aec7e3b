import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FactlineError } from '../core/errors.js';
import type { EventDefinition } from '../core/event.js';
import { definitionsIn } from '../schema/catalog.js';
import { UsageError } from './usage-error.js';

/**
 * The event definitions a user's module exports. The module is imported as Node imports it: a
 * compiled `.js` module always loads; a `.ts` module loads when the command runs under tsx
 * (`npx tsx node_modules/factline/bin/factline.js ...`, or in a checkout of Factline) or on a
 * Node that strips types itself.
 */
export async function loadDefinitions(module: string): Promise<EventDefinition[]> {
  const path = resolve(module);
  if (!existsSync(path)) throw new UsageError(`no module at ${module}`);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    const hint = /\.(c|m)?tsx?$/.test(path) ? ' (a TypeScript module needs tsx: npx tsx node_modules/factline/bin/factline.js schema ..., or compile it to .js first)' : '';
    throw new FactlineError('MODULE_LOAD_FAILED', `cannot import ${module}: ${(err as Error).message}${hint}`, { cause: err });
  }
  const defs = definitionsIn(exports);
  if (defs.length === 0) throw new FactlineError('NO_DEFINITIONS', `${module} exports no event definitions (values made by defineEvent, or arrays or objects of them)`);
  return defs;
}
