/** Values written into a finding's ready-to-run SQL (for a person to paste), quoted the ClickHouse way. */
export const sqlString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
export const sqlTime = (d: Date): string => `toDateTime64(${sqlString(d.toISOString().replace('T', ' ').replace('Z', ''))}, 3, 'UTC')`;
export const chTime = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');
