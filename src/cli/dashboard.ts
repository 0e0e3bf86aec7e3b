import type { Engine } from '../core/engine.js';
import { maskConnectionString } from '../dashboard/mask.js';
import { serveDashboard } from '../dashboard/serve.js';
import { describeTarget, type Target } from './connect.js';
import type { Io } from './commands.js';

export interface DashboardFlags {
  readonly port: number;
  readonly host: string | undefined;
  readonly token: string | undefined;
}

/** Serves the dashboard on `engine` until SIGINT or SIGTERM, then closes the server. */
export async function runDashboard(engine: Engine, target: Target, flags: DashboardFlags, io: Io): Promise<void> {
  // The header shows the URL with its password (and password-like parameters) masked, and the user.
  const label = target.kind === 'postgres' ? `${maskConnectionString(target.url)} (schema ${target.schema})` : target.file;
  const served = await serveDashboard({
    engine, target: label, port: flags.port, token: flags.token, actor: 'dashboard',
    ...(flags.host !== undefined ? { host: flags.host } : {}),
  });
  const mode = flags.token !== undefined ? 'replay and discard need the token' : 'read-only (give --token to allow replay and discard)';
  if (io.json) io.out(JSON.stringify({ url: served.url, readOnly: flags.token === undefined }));
  else io.out(`factline dashboard for ${describeTarget(target)} at ${served.url} (${mode}); Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await served.close();
}
