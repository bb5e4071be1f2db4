/**
 * Objects that grow by appending. Azure writes NSG and VNet flow logs to one
 * blob per NIC and hour (`.../PT1H.json`) and appends each minute's records to
 * it, so the same object is seen again, with a new ETag (or size and mtime in
 * a mirrored folder), holding what was stored plus new records. Its stored
 * rows are skipped, not stored twice, and only the new records are stored.
 */
export const growsByAppend = (name: string): boolean => /(^|\/)PT1H\.json$/.test(name);
