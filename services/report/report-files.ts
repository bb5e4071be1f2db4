/** The three renderings of one report, as the files every delivery writes. */
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';
import type { ReportData } from './report-data.js';

export interface ReportFile { name: 'report.html' | 'report.md' | 'report.json'; contentType: string; body: string }

/** The data travels with its files: a webhook message is built from the findings, not from the HTML. */
export interface RenderedReport { data: ReportData; files: ReportFile[] }

export function renderReport(data: ReportData): RenderedReport {
  return {
    data,
    files: [
      { name: 'report.html', contentType: 'text/html; charset=utf-8', body: renderHtml(data) },
      { name: 'report.md', contentType: 'text/markdown; charset=utf-8', body: renderMarkdown(data) },
      { name: 'report.json', contentType: 'application/json; charset=utf-8', body: renderJson(data) },
    ],
  };
}

/** "2026-05-02T060500Z": sorts by time and is a valid folder name and S3 key everywhere. */
export function reportStamp(data: ReportData): string {
  const t = new Date(data.generatedAt);
  const iso = (Number.isNaN(t.getTime()) ? new Date() : t).toISOString();
  return `${iso.slice(0, 10)}T${iso.slice(11, 19).replace(/:/g, '')}Z`;
}
