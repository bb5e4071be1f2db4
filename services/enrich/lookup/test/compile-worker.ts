/** Worker side of transfer.test.ts: compiles the prefixes it is given and hands the table back without copying. */
import { parentPort, workerData } from 'node:worker_threads';
import { compilePrefixTable, type PrefixInput } from '../prefix-table.js';

const t = compilePrefixTable(workerData as PrefixInput[]);
const transfer = t.toTransferable();
parentPort!.postMessage(transfer, transfer.buffers);
// moved, not copied: this side's buffers are now detached
parentPort!.postMessage({ leftBehind: transfer.buffers.reduce((n, b) => n + b.byteLength, 0) });
