/**
 * Test-only TLS material: a throwaway CA and a server certificate for
 * 127.0.0.1/localhost, made with the machine's openssl, so clients are tested
 * verifying a real chain (and refusing it without the CA).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts { dir: string; caFile: string; certFile: string; keyFile: string; cert: Buffer; key: Buffer; ca: Buffer }

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'flowlog-tls-'));
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=flowlog test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('san.ext'), '-out', f('server.pem'));
  return {
    dir, caFile: f('ca.pem'), certFile: f('server.pem'), keyFile: f('server.key'),
    ca: readFileSync(f('ca.pem')), cert: readFileSync(f('server.pem')), key: readFileSync(f('server.key')),
  };
}
