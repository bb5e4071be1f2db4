/**
 * A TCP front for a real server that misbehaves on purpose, the way networks
 * do: it can cut a connection once a response has passed a number of bytes,
 * or hold a response back until told to go on. Every byte it does pass is
 * the real server's. It also keeps the requests' heads, to see what the
 * client asked for (a Range, after a cut).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface FlakyFront {
  port: number;
  /** Request heads seen (request line and headers), in order. */
  readonly requests: string[];
  /** The next response to pass `bytes` is cut there (both sockets destroyed). */
  cutNextAfter(bytes: number): void;
  /**
   * Until heal(): the next response to a request whose path contains `path` is
   * cut after `bytes`, and every later one before its first byte (a server
   * that failed mid-object and stays down for it).
   */
  breakPath(path: string, bytes: number): void;
  heal(): void;
  /** The next response to pass `bytes` is held there until release() (which also ends holding). */
  holdNextAfter(bytes: number): void;
  release(): void;
  /** Response bytes passed to clients so far. */
  readonly passed: number;
  close(): Promise<void>;
}

/** A front for the S3 server the tests use (S3_ENDPOINT). */
export function startS3Front(): Promise<FlakyFront> {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT is not set: the global setup starts the S3 server (infra/s3/s3.sh); it must not be missing');
  const target = new URL(process.env.S3_ENDPOINT);
  return startFlakyFront({ host: target.hostname, port: Number(target.port || 80) });
}

export async function startFlakyFront(target: { host: string; port: number }): Promise<FlakyFront> {
  const open = new Set<Socket>();
  const requests: string[] = [];
  let cutAt = -1, holdAt = -1, passed = 0;
  let broken: { path: string; bytes: number } | null = null;
  const held: (() => void)[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    open.add(client); open.add(upstream);
    const end = () => { client.destroy(); upstream.destroy(); open.delete(client); open.delete(upstream); };
    client.on('error', end); upstream.on('error', end);
    client.on('close', end); upstream.on('close', end);
    let path = '', sentOfResponse = 0;
    client.on('data', (d: Buffer) => {
      const text = d.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const line = /^[A-Z]+ (\S+) HTTP\/1\.1\r\n/.exec(text);
      if (line) { requests.push(head >= 0 ? text.slice(0, head) : text); path = line[1]!; sentOfResponse = 0; }
      upstream.write(d);
    });
    let sent = 0;
    upstream.on('data', (d: Buffer) => {
      if (broken && path.includes(broken.path) && sentOfResponse + d.length > broken.bytes) {
        const keep = broken.bytes - sentOfResponse;
        broken.bytes = 0;
        if (keep > 0) client.write(d.subarray(0, keep), () => end()); else end();
        passed += keep;
        return;
      }
      sentOfResponse += d.length;
      if (cutAt >= 0 && sent + d.length > cutAt) {
        const keep = cutAt - sent;
        cutAt = -1;
        client.write(d.subarray(0, keep), () => end());
        passed += keep;
        return;
      }
      if (holdAt >= 0 && sent + d.length > holdAt) {
        const keep = holdAt - sent;
        holdAt = -1;
        client.write(d.subarray(0, keep));
        sent += keep; passed += keep;
        upstream.pause();
        held.push(() => { client.write(d.subarray(keep)); sent += d.length - keep; passed += d.length - keep; upstream.resume(); });
        return;
      }
      sent += d.length; passed += d.length;
      client.write(d);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    requests,
    cutNextAfter: (bytes) => { cutAt = bytes; },
    breakPath: (p, bytes) => { broken = { path: p, bytes }; },
    heal: () => { broken = null; },
    holdNextAfter: (bytes) => { holdAt = bytes; },
    release: () => { holdAt = -1; for (const go of held.splice(0)) go(); },
    get passed() { return passed; },
    close: () => new Promise<void>((r) => { server.close(() => r()); for (const s of open) s.destroy(); }),
  };
}
