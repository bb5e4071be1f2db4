/**
 * The chat message for a report, in Slack's incoming-webhook format (text
 * for notifications, blocks for the message): the counts, what changed, the
 * five most severe open findings and a link to the full report.
 */
import { bySeverity, countBySeverity, detectorLabel, isOpen, SEVERITY_EMOJI, SEVERITY_ORDER, UNOWNED } from './finding-order.js';
import { alertParts } from './coverage.js';
import { fmtPct, fmtWindow } from './format.js';
import type { ReportData } from './report-data.js';

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] }
  | { type: 'divider' };

export interface SlackMessage { text: string; blocks: SlackBlock[] }

export const TOP_FINDINGS = 5;

/** Slack's three control characters; escaping < also stops data from spelling <!channel> or a link. */
export const slackEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function slackMessage(d: ReportData, reportUrl?: string): SlackMessage {
  const open = d.findings.filter(isOpen).sort(bySeverity);
  const counts = countBySeverity(open);
  const bySev = SEVERITY_ORDER.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`).join(', ');
  const window = fmtWindow(d.since, d.until);
  const c = d.changes;
  const alert = alertParts(d.alert);
  const counted = open.length === 0 ? `${d.title}: no open findings (${window})` : `${d.title}: ${open.length} open finding${open.length === 1 ? '' : 's'} (${bySev}), ${window}`;
  // the missing data leads the notification too: a phone shows only `text`
  const text = alert ? `${alert.level}: ${counted}` : counted;

  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(d.title, 150) } },
    ...(alert ? [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: `${alert.level === 'NO DATA' ? '⛔' : '⚠️'} *${alert.level}*: ${slackEscape(clip(alert.text, 2000))}` } }] : []),
    { type: 'section', text: { type: 'mrkdwn', text: [
      open.length === 0 && d.coverage.status === 'none' ? 'No open findings, and no flows to find them in.' : open.length === 0 ? '✅ *No open findings*: nothing needs attention this morning.'
        : `*${open.length} open finding${open.length === 1 ? '' : 's'}* · ${SEVERITY_ORDER.filter((s) => counts[s] > 0).map((s) => `${SEVERITY_EMOJI[s]} ${counts[s]} ${s}`).join(' · ')}`,
      `${d.comparison.label}: ${c.newFindings} new, ${c.resolved} resolved · egress ${fmtPct(c.egressChangePct)} · denied flows ${fmtPct(c.deniedChangePct)}`,
      `_${window}_`,
    ].join('\n') } },
  ];
  if (open.length > 0) blocks.push({ type: 'divider' });
  for (const f of open.slice(0, TOP_FINDINGS)) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text:
      `${SEVERITY_EMOJI[f.severity]} *${f.severity.toUpperCase()}* · *${slackEscape(f.owner ?? UNOWNED)}* · ${detectorLabel(f.detector)}\n${slackEscape(clip(f.summary, 600))}` } });
  }
  const more = open.length - TOP_FINDINGS;
  if (more > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${more} more open finding${more === 1 ? '' : 's'} in the report` }] });
  if (reportUrl) {
    // a link inside <...|...> ends at | or >, so those are escaped in the address
    const href = reportUrl.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${href}|Open the full report>` } });
  }
  return { text, blocks };
}
