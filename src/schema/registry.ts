import type { Engine, SchemaRecord, Tx } from '../core/engine.js';
import type { EventDefinition } from '../core/event.js';
import { FactlineError, SchemaConflictError } from '../core/errors.js';
import type { Logger } from '../observe/logger.js';
import { fingerprint } from './fingerprint.js';
import { jsonSchemaOf } from './json-schema-of.js';
import { checkRegistration, liveHandlers } from './registration.js';

/**
 * An app's side of the log's schema registry. Each definition is registered once per app: the
 * first publish of a definition (or app.start(), for the versions its groups handle) reads the
 * registry, checks the version (registration.ts) and stores it; later publishes cost one lookup
 * in a WeakSet. Definitions whose schema library has no JSON Schema are skipped with a warning.
 *
 * Not guaranteed: two apps registering different schemas for one new version at the same moment
 * are told apart at the insert (the second is refused with SCHEMA_CHANGED), but two new versions
 * registered at the same moment are each checked without the other. A registration made in a
 * transaction that rolls back is not stored, and this app does not try again until it restarts.
 */
export class SchemaRegistry {
  private readonly done = new WeakSet<EventDefinition>();
  private readonly pending = new WeakMap<EventDefinition, Promise<void>>();
  /** Definitions the registry refused: every later publish of them is refused the same way. */
  private readonly refused = new WeakMap<EventDefinition, SchemaConflictError>();

  constructor(
    private readonly engine: Engine,
    private readonly source: string,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /**
   * Registers `def` as published by this app's source, once: undefined when it is already
   * registered (the hot path). In a transaction whose engine registers through it (SQLite), the
   * registration joins that transaction. In a transaction of an engine that registers on a
   * connection of its own (PostgreSQL), the publish does not wait for the registration: waiting
   * for a second connection while the transaction holds one can exhaust the pool when many
   * transactions publish a new type at once. The registration then runs beside the transaction,
   * and its refusal applies to the next publishes of `def`.
   */
  produced(def: EventDefinition, tx?: Tx<unknown>): Promise<void> | undefined {
    if (this.done.has(def)) return undefined;
    const refused = this.refused.get(def);
    if (refused) throw refused;
    if (tx?.registerSchema) {
      // Not shared: a registration of another caller may wait for the lock this transaction holds.
      return this.register(def, `producer ${this.source}`, this.source, tx).then(() => void this.done.add(def));
    }
    let p = this.pending.get(def);
    if (!p) {
      p = this.register(def, `producer ${this.source}`, this.source).then(
        () => void this.done.add(def),
        (err: unknown) => {
          this.pending.delete(def);
          if (err instanceof SchemaConflictError) this.refused.set(def, err);
          throw err;
        },
      );
      this.pending.set(def, p);
    }
    if (tx) {
      p.catch((err: unknown) => this.logger.warn({ eventType: def.type, version: def.version, err: String(err) }, 'registering the schema of an event published in a transaction failed; the next publish tries again'));
      return undefined;
    }
    return p;
  }

  /** Registers the versions a group handles (its own handlers, not those reached by upcasting), before it starts. */
  async handled(group: string, defs: readonly EventDefinition[]): Promise<void> {
    for (const def of defs) await this.register(def, `group ${group}`, undefined);
  }

  private async register(def: EventDefinition, by: string, producer: string | undefined, tx?: Tx<unknown>): Promise<void> {
    let schema;
    try {
      schema = jsonSchemaOf(def);
    } catch (err) {
      if (!(err instanceof FactlineError) || err.code !== 'NO_JSON_SCHEMA') throw err;
      this.logger.warn({ eventType: def.type, version: def.version }, `not in the schema registry: ${err.message}`);
      return;
    }
    const admin = this.engine.admin;
    const [all, status, declared] = await Promise.all([admin.schemas(), admin.status(), admin.handlers()]);
    const existing = all.filter((r) => r.type === def.type);
    const latest = existing.reduce<SchemaRecord | undefined>((a, r) => (!a || r.version > a.version ? r : a), undefined);
    const record: SchemaRecord = {
      type: def.type, version: def.version, fingerprint: fingerprint(schema), schema: JSON.stringify(schema),
      compatibility: def.compatibility ?? latest?.compatibility ?? 'BACKWARD', registeredBy: by, registeredAt: this.now(),
    };
    const allowed = checkRegistration(existing, record, record.compatibility, liveHandlers(def.type, status, declared));
    if (allowed.length) {
      this.logger.warn({ eventType: def.type, version: def.version }, `registered although it breaks ${record.compatibility} against versions no live group handles: ${allowed.join('; ')}`);
    }
    const stored = tx?.registerSchema ? await tx.registerSchema(record, producer) : await this.engine.registerSchema(record, producer);
    if (stored !== record.fingerprint) {
      throw new SchemaConflictError('SCHEMA_CHANGED', def.type, def.version, `${def.type} version ${def.version} was just registered with another schema (${stored}) by another app; a version's schema never changes: define the change as a new version`, []);
    }
  }
}
