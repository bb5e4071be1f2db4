/**
 * A TLS front for a plain TCP server (what a load balancer or an https-only
 * deployment puts before MinIO): clients speak real TLS to it, verified
 * against the test CA, and every byte goes through to the real server.
 */
import { connect } from 'node:net';
import { createServer, type Server } from 'node:tls';

export async function startTlsFront(target: { host: string; port: number }, tls: { cert: Buffer; key: Buffer }): Promise<{ port: number; close(): Promise<void> }> {
  const open = new Set<{ destroy(): void }>();
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (client) => {
    const upstream = connect(target.port, target.host);
    open.add(client); open.add(upstream);
    client.on('close', () => { open.delete(client); open.delete(upstream); });
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('error', end); upstream.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((r) => { server.close(() => r()); for (const s of open) s.destroy(); }),
  };
}
