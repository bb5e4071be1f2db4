/** PEM files named in configuration (CA, client certificate, key); kept apart from the config loader so TLS clients need not import it. */
import { readFileSync } from 'node:fs';
import { FlowlogError } from '../core/errors.js';

/** A certificate or key file named in the config; a missing one names its key. */
export function readPemFile(path: string, where: string): Buffer {
  try { return readFileSync(path); } catch (e) {
    throw new FlowlogError('CONFIG_INVALID', `${where}: ${path} cannot be read (${(e as NodeJS.ErrnoException).code})`, 'point it at a readable PEM file');
  }
}
