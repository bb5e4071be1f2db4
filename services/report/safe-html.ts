/**
 * HTML built with a tagged template that escapes every interpolated value
 * unless it is already Html: owners, entity names and SQL come from flow
 * data, so escaping is the default and raw markup has to be asked for.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string { return this.value; }
}

export type HtmlPart = Html | string | number | null | undefined | false | HtmlPart[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function part(v: HtmlPart): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(part).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlPart[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => { out += part(v) + strings[i + 1]!; });
  return new Html(out);
}

/** Markup produced by code of ours (e.g. the chart SVGs), never by data. */
export function trusted(markup: string): Html {
  return new Html(markup);
}
