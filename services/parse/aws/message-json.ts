/**
 * AWS flow log lines that arrive wrapped in JSON: one `{"message": "..."}` per
 * line, or a CloudWatch Logs subscription payload `{"logEvents":[{"message":..}]}`.
 * Returns the lines as text for the AWS parser, or null when the document is
 * not of that shape (then it is Azure, or junk for the Azure parser to reject).
 */
const PROBE = 4096;

export function unwrapMessageJson(data: Buffer): Buffer | null {
  const head = data.toString('latin1', 0, Math.min(data.length, PROBE));
  if (!head.includes('"message"') || head.includes('"records"') || head.includes('flowTuples')) return null;
  const out: string[] = [];
  for (const line of data.toString('utf8').split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    let doc: unknown;
    try { doc = JSON.parse(t); } catch { out.push(t); continue; } // keep it: the AWS parser quarantines it with a reason
    const events = (doc as { logEvents?: unknown }).logEvents;
    if (Array.isArray(events)) {
      for (const e of events) out.push(String((e as { message?: unknown }).message ?? JSON.stringify(e)));
    } else {
      const m = (doc as { message?: unknown }).message;
      out.push(typeof m === 'string' ? m : t);
    }
  }
  return Buffer.from(out.join('\n'), 'utf8');
}
