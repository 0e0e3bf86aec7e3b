import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { FactlineError } from '../core/errors.js';
import { createDashboard, type DashboardOptions } from './app.js';

export interface ServeOptions extends DashboardOptions {
  /** Default 127.0.0.1: nothing listens beyond this machine unless a host is given. */
  readonly host?: string;
  /** Default 4100; 0 picks a free port. */
  readonly port?: number;
}

export interface ServedDashboard {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Serves the dashboard on its own HTTP server. On a loopback address, requests whose Host header
 * names another host are refused (421), so a web page cannot reach the dashboard through a DNS
 * name that resolves to 127.0.0.1.
 */
export async function serveDashboard(options: ServeOptions): Promise<ServedDashboard> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 4100;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FactlineError('BAD_PORT', `port must be a whole number from 0 to 65535, got ${port}`);
  const dashboard = createDashboard(options);
  const loopback = isLoopback(host);
  const server = createServer((req, res) => {
    if (loopback) {
      const name = (req.headers.host ?? '').replace(/:\d+$/, '');
      if (!isLoopback(name)) {
        res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' }).end('this dashboard answers only to localhost, 127.0.0.1 and [::1]\n');
        return;
      }
    }
    void dashboard.handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new FactlineError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${err.code ?? err.message}`, { cause: err })));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}${options.basePath ?? ''}/`.replace(/\/\/$/, '/'),
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
