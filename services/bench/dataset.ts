/**
 * The benchmark's fixed dataset: default-format (v2) lines with a realistic mix
 * (hundreds of ENIs, internal and public peers, IPv6, NODATA, REJECTs), the same
 * bytes on every run so figures compare across runs and machines.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

export function benchLines(n: number, seed = 7): string[] {
  const rnd = mulberry32(seed);
  const pick = (k: number) => Math.floor(rnd() * k);
  const enis = Array.from({ length: 400 }, (_, i) => `eni-0${(0x1000000 + i * 7919).toString(16)}a1b2c3d4e`);
  const accounts = ['123456789012', '210987654321', '555566667777'];
  const publicPeers = Array.from({ length: 500 }, () => `${[52, 54, 18, 3, 13, 35, 104, 151][pick(8)]}.${pick(256)}.${pick(256)}.${1 + pick(254)}`);
  const ports = [443, 443, 443, 80, 53, 5432, 6379, 8080, 22, 3389];
  const t0 = 1732406400;
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const e = pick(enis.length);
    const acct = accounts[e % 3]!;
    const start = t0 + Math.floor((i / n) * 86400);
    const end = start + 1 + pick(59);
    const r = rnd();
    if (r < 0.01) { out[i] = `2 ${acct} ${enis[e]} - - - - - - - ${start} ${end} - NODATA`; continue; }
    const local = `10.${e >> 8}.${(e >> 2) & 255}.${10 + (e & 3)}`;
    let src = local, dst: string;
    if (r < 0.03) { src = `2600:1f18:${(e * 31).toString(16)}:6901::${(i & 0xfff).toString(16)}`; dst = `2606:4700::${(pick(4096)).toString(16)}`; }
    else if (r < 0.5) dst = publicPeers[Math.floor(Math.pow(rnd(), 3) * publicPeers.length)]!;
    else dst = `10.${pick(2)}.${pick(256)}.${10 + pick(4)}`;
    const inbound = rnd() < 0.3;
    const reject = rnd() < 0.05;
    const packets = 1 + Math.floor(Math.pow(rnd(), 4) * 5000);
    const bytes = packets * (40 + pick(1400));
    const dport = ports[pick(ports.length)]!;
    const sport = 1024 + pick(64000);
    out[i] = inbound
      ? `2 ${acct} ${enis[e]} ${dst} ${src} ${dport} ${sport} 6 ${packets} ${bytes} ${start} ${end} ${reject ? 'REJECT' : 'ACCEPT'} OK`
      : `2 ${acct} ${enis[e]} ${src} ${dst} ${sport} ${dport} ${dport === 53 ? 17 : 6} ${packets} ${bytes} ${start} ${end} ${reject ? 'REJECT' : 'ACCEPT'} OK`;
  }
  return out;
}

export interface BenchFiles { text: string; textBytes: number; gzDir: string; lines: number; gzBytes: number; objects: number }

/** Writes the plain file (for the parse comparison) and gzip parts with headers (for end-to-end ingest). */
export function writeBenchDataset(dir: string, lines: number, parts = 8): BenchFiles {
  const text = join(dir, `lines-${lines}.log`);
  const gzDir = join(dir, `gz-${lines}-${parts}`);
  const partFile = (p: number) => join(gzDir, `part-${String(p).padStart(3, '0')}.log.gz`);
  const per = Math.ceil(lines / parts);
  const nParts = Math.ceil(lines / per);
  // Generated once and cached: the strings would otherwise still be garbage on the heap while we time the parser.
  if (!existsSync(text) || !Array.from({ length: nParts }, (_, p) => existsSync(partFile(p))).every(Boolean)) {
    const all = benchLines(lines);
    mkdirSync(gzDir, { recursive: true });
    writeFileSync(text, `${all.join('\n')}\n`);
    for (let p = 0; p < nParts; p++) {
      writeFileSync(partFile(p), gzipSync(`${HEADER}\n${all.slice(p * per, (p + 1) * per).join('\n')}\n`, { level: 6 }));
    }
  }
  let gzBytes = 0;
  for (let p = 0; p < nParts; p++) gzBytes += statSync(partFile(p)).size;
  return { text, textBytes: statSync(text).size, gzDir, lines, gzBytes, objects: nParts };
}
