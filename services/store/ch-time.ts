/** Times as the engine reads and writes DateTime64(3, 'UTC') text: '2026-11-24 10:00:00.000'. */
export const chTime = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');

/** The engine's text back to a Date (it is UTC). */
export const fromChTime = (s: string): Date => new Date(`${s.replace(' ', 'T')}Z`);
