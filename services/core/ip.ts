/**
 * Byte-level IP address parsing into 16-byte slots (IPv4 stored IPv4-mapped,
 * ::ffff:a.b.c.d), and formatting back to text. We store every address as
 * ClickHouse IPv6 so one column answers v4 and v6 questions alike, and
 * `toIPv4` / `IPv4CIDRToRange` still work on the mapped form.
 */
const DOT = 46, COLON = 58;

function hexVal(b: number): number {
  if (b >= 48 && b <= 57) return b - 48;
  const l = b | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** Parses dotted IPv4 in [start,end) into out[o..o+4); false when malformed. */
export function parseIPv4Into(buf: Uint8Array, start: number, end: number, out: Uint8Array, o: number): boolean {
  let part = 0, val = 0, digits = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === DOT) {
      if (digits === 0 || part === 3) return false;
      out[o + part++] = val;
      val = 0; digits = 0;
    } else {
      const d = b - 48;
      if (d < 0 || d > 9) return false;
      if (digits > 0 && val === 0) return false; // no leading zeros: ambiguous (octal) in many tools
      val = val * 10 + d;
      if (val > 255 || ++digits > 3) return false;
    }
  }
  if (part !== 3 || digits === 0) return false;
  out[o + 3] = val;
  return true;
}

/** Parses an IPv4 or IPv6 address in [start,end) into a 16-byte slot. */
export function parseIpInto(buf: Uint8Array, start: number, end: number, out: Uint8Array, o: number): boolean {
  let hasColon = false;
  for (let i = start; i < end; i++) if (buf[i] === COLON) { hasColon = true; break; }
  if (!hasColon) {
    for (let i = 0; i < 10; i++) out[o + i] = 0;
    out[o + 10] = 0xff; out[o + 11] = 0xff;
    return parseIPv4Into(buf, start, end, out, o + 12);
  }
  return parseIPv6Into(buf, start, end, out, o);
}

function parseIPv6Into(buf: Uint8Array, start: number, end: number, out: Uint8Array, o: number): boolean {
  if (end - start < 2 || end - start > 45) return false;
  let gap = -1; // group index where '::' stands
  let g = 0; // groups written
  let i = start;
  if (buf[i] === COLON) {
    if (buf[i + 1] !== COLON) return false;
    gap = 0; i += 2;
    if (i === end) { out.fill(0, o, o + 16); return true; }
  }
  while (i < end) {
    if (g >= 8) return false;
    // an embedded IPv4 tail (::ffff:1.2.3.4)
    let j = i, val = 0, n = 0, isV4 = false;
    while (j < end && buf[j] !== COLON) { if (buf[j] === DOT) isV4 = true; j++; }
    if (isV4) {
      if (j !== end || g > 6) return false;
      if (!parseIPv4Into(buf, i, end, out, o + g * 2)) return false;
      g += 2; break;
    }
    for (let k = i; k < j; k++) {
      const h = hexVal(buf[k]!);
      if (h < 0 || ++n > 4) return false;
      val = (val << 4) | h;
    }
    if (n === 0) return false;
    out[o + g * 2] = val >> 8; out[o + g * 2 + 1] = val & 0xff;
    g++;
    i = j;
    if (i < end) { // at a colon
      if (buf[i + 1] === COLON) {
        if (gap >= 0) return false;
        gap = g; i += 2;
      } else {
        i += 1;
        if (i === end) return false; // trailing single colon
      }
    }
  }
  if (gap < 0) return g === 8;
  if (g >= 8) return false;
  const tail = g - gap; // groups after the gap: move them to the end
  for (let k = tail - 1; k >= 0; k--) {
    out[o + (8 - tail + k) * 2] = out[o + (gap + k) * 2]!;
    out[o + (8 - tail + k) * 2 + 1] = out[o + (gap + k) * 2 + 1]!;
  }
  out.fill(0, o + gap * 2, o + (8 - tail) * 2);
  return true;
}

export function isV4Mapped(b: Uint8Array, o: number): boolean {
  for (let i = 0; i < 10; i++) if (b[o + i] !== 0) return false;
  return b[o + 10] === 0xff && b[o + 11] === 0xff;
}

/** Text form: dotted for IPv4-mapped, RFC 5952 compressed otherwise. */
export function formatIp(b: Uint8Array, o: number): string {
  if (isV4Mapped(b, o)) return `${b[o + 12]}.${b[o + 13]}.${b[o + 14]}.${b[o + 15]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[o + i * 2]! << 8) | b[o + i * 2 + 1]!);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Convenience for tests and configuration: parse a text address. */
export function parseIpText(s: string): Uint8Array | null {
  const out = new Uint8Array(16);
  const b = Buffer.from(s, 'latin1');
  return parseIpInto(b, 0, b.length, out, 0) ? out : null;
}
