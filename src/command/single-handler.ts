// placeholder, replaced after merging main
import type { Engine } from '../core/engine.js';
import type { ConsumerGroup } from '../consumer/consumer-group.js';
export async function checkSingleHandlers(_engine: Engine, _groups: readonly ConsumerGroup<unknown>[]): Promise<void> {}
