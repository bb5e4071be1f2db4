/**
 * A TCP front for a real server that answers every request late, the way a
 * distant region does: each HTTP request waits `delayMs` before it is passed
 * on (the request line and everything after it on that connection, in order),
 * so every request, a GET or a listing, costs at least one delay. Every byte
 * is the real server's; nothing else changes.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface LatencyFront {
  port: number;
  /** Requests delayed so far. */
  readonly requests: number;
  close(): Promise<void>;
}

const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/;

/** A front for the S3 server the tests use (S3_ENDPOINT). */
export function startS3LatencyFront(delayMs: number): Promise<LatencyFront> {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT is not set: the global setup starts the S3 server (infra/s3/s3.sh); it must not be missing');
  const target = new URL(process.env.S3_ENDPOINT);
  return startLatencyFront({ host: target.hostname, port: Number(target.port || 80) }, delayMs);
}

export async function startLatencyFront(target: { host: string; port: number }, delayMs: number): Promise<LatencyFront> {
  const open = new Set<Socket>();
  let requests = 0;
  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    const upstream = connect(target.port, target.host);
    upstream.setNoDelay(true);
    open.add(client); open.add(upstream);
    const queue: { at: number; d: Buffer }[] = [];
    let timer: NodeJS.Timeout | null = null;
    const end = () => { if (timer) clearTimeout(timer); client.destroy(); upstream.destroy(); open.delete(client); open.delete(upstream); };
    client.on('error', end); upstream.on('error', end);
    client.on('close', end); upstream.on('close', end);
    // bytes of this connection pass in order: a chunk that starts a request waits the delay, later ones wait behind it
    const drain = () => {
      timer = null;
      while (queue.length && queue[0]!.at <= Date.now()) { const q = queue.shift()!; if (!upstream.destroyed) upstream.write(q.d); }
      if (queue.length) timer = setTimeout(drain, queue[0]!.at - Date.now());
    };
    client.on('data', (d: Buffer) => {
      const starts = REQUEST_LINE.test(d.toString('latin1', 0, Math.min(d.length, 2048)));
      if (starts) requests++;
      const at = Math.max(queue.at(-1)?.at ?? 0, starts ? Date.now() + delayMs : 0);
      if (queue.length === 0 && at <= Date.now()) { upstream.write(d); return; }
      queue.push({ at, d });
      if (!timer) timer = setTimeout(drain, Math.max(0, queue[0]!.at - Date.now()));
    });
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    get requests() { return requests; },
    close: () => new Promise<void>((r) => { server.close(() => r()); for (const s of open) s.destroy(); }),
  };
}
