import type { Envelope } from '../core/envelope.js';
import type { EventDefinition } from '../core/event.js';
import type { PublishOptions } from '../publish/build-envelope.js';
import type { Scope } from '../publish/scope.js';

/** Validates and appends an event in a scope's transaction; provided by the app. */
export type Publisher = (scope: Scope, definition: EventDefinition, data: unknown, options?: PublishOptions) => Promise<Envelope>;
