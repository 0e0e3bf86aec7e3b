export { createDashboard } from './app.js';
export { serveDashboard } from './serve.js';
export { eventPage, encodeCursor, decodeCursor, PAGE_WINDOW } from './event-page.js';
export { maskConnectionString } from './mask.js';

export type { Dashboard, DashboardOptions } from './app.js';
export type { ServeOptions, ServedDashboard } from './serve.js';
export type { EventPage, EventPageQuery } from './event-page.js';
export type { Overview, GroupView, PartitionView, RetryingKey } from './overview.js';
