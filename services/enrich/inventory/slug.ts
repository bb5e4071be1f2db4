/**
 * Owner keys as the rest of flowlog spells them: NetBox slugs (`neteng`,
 * `data-platform`), the `owners:` list, tags and ownership rules. A NetBox
 * tenant carries its slug; a hand-made export with only a name gets the slug
 * NetBox itself would suggest for it, so one team has one spelling.
 */

/** Lower case ASCII letters, digits, `_` and `-`; accents dropped; every other run of characters one `-`; no `-` at either end. */
export function slugify(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
}
