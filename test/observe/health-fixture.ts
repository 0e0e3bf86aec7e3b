import { createServer as createHttpServer, type Server } from 'node:http';
import { createConnection, createServer, type Socket } from 'node:net';
import { healthHandler, type Factline, type Health } from '../../src/index.js';

/** Serves `healthHandler(app)` on a free loopback port. */
export async function serveHealth(app: Factline<unknown>): Promise<{ get(path: string): Promise<{ status: number; body: Health }>; close(): Promise<void> }> {
  const server: Server = createHttpServer(healthHandler(app));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    async get(path) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: res.status, body: (await res.json()) as Health };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A TCP proxy on a free loopback port to `target`; `cut()` closes it and every connection through it. */
export async function tcpProxy(targetHost: string, targetPort: number): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: targetHost, port: targetPort });
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cut: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
