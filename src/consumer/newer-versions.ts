import type { EngineAdmin } from '../core/engine.js';
import { VersionAheadError } from '../core/errors.js';
import { readableAs } from '../schema/compatibility.js';
import type { JsonSchema } from '../schema/json-schema.js';
import { jsonSchemaOf } from '../schema/json-schema-of.js';
import type { Registration } from './handler.js';

interface Verdict {
  /** The registration that reads the newer version, when it is forward compatible. */
  readonly registration?: Registration;
  readonly status: string;
  /** ms since epoch; a verdict from a missing registry entry is asked again after RECHECK_MS. */
  readonly at: number;
  readonly final: boolean;
}

/** How long a "not in the registry" verdict is kept before the registry is asked again. */
const RECHECK_MS = 1000;

/** The status line of a group that meets a version it cannot read. */
export function aheadStatus(group: string, type: string, top: number, version: number): string {
  return `group ${group} handles ${type} up to v${top}; v${version} needs a newer consumer`;
}

/**
 * For one group: whether an event of a newer version than the group handles can be read with
 * the group's newest version of that type (forward compatible per the registry's JSON Schemas:
 * unknown fields are tolerated). A registry verdict on a registered version is final (versions
 * never change); an unregistered version is asked about again after a second.
 */
export class NewerVersions {
  private readonly verdicts = new Map<string, Verdict>();

  constructor(
    private readonly group: string,
    private readonly admin: () => EngineAdmin,
    private readonly now: () => number,
  ) {}

  /** The verdict known for (type, version), without asking the registry. */
  lookup(type: string, version: number): Verdict | undefined {
    const v = this.verdicts.get(`${type}\u0000${version}`);
    if (v && !v.final && this.now() - v.at >= RECHECK_MS) return undefined;
    return v;
  }

  /** Throws the VersionAheadError of an event the group cannot read yet (or returns the registration that reads it). */
  deliverable(type: string, version: number, versions: ReadonlyMap<number, Registration>): Registration {
    const verdict = this.lookup(type, version);
    if (verdict?.registration) return verdict.registration;
    const top = newestOwn(versions);
    throw new VersionAheadError(verdict?.status ?? aheadStatus(this.group, type, top?.definition.version ?? 0, version), verdict !== undefined);
  }

  /** Asks the registry about (type, version) and keeps the verdict. */
  async resolve(type: string, version: number, versions: ReadonlyMap<number, Registration>): Promise<void> {
    const top = newestOwn(versions);
    if (!top) return;
    const base = aheadStatus(this.group, type, top.definition.version, version);
    const key = `${type}\u0000${version}`;
    const stored = (await this.admin().schemas()).find((s) => s.type === type && s.version === version);
    if (!stored) {
      this.verdicts.set(key, { status: `${base} (v${version} is not in the schema registry, so it cannot be read as v${top.definition.version})`, at: this.now(), final: false });
      return;
    }
    let reader: JsonSchema;
    try {
      reader = jsonSchemaOf(top.definition);
    } catch {
      this.verdicts.set(key, { status: `${base} (v${top.definition.version} has no JSON Schema to compare with)`, at: this.now(), final: true });
      return;
    }
    const breaks = readableAs({ version, schema: JSON.parse(stored.schema) as JsonSchema }, { version: top.definition.version, schema: reader });
    this.verdicts.set(key, breaks.length === 0
      ? { registration: top, status: `read as v${top.definition.version}`, at: this.now(), final: true }
      : { status: `${base} (${breaks[0]!.message})`, at: this.now(), final: true });
  }
}

/** The group's newest handler of its own (not one reached by upcasting). */
function newestOwn(versions: ReadonlyMap<number, Registration>): Registration | undefined {
  let top: Registration | undefined;
  for (const r of versions.values()) if (!r.upcast && (!top || r.definition.version > top.definition.version)) top = r;
  return top;
}
