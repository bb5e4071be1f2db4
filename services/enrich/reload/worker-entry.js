// Worker threads do not inherit the main thread's tsx loader: register it here, then run the job.
import { register } from 'tsx/esm/api';

register();
await import('./build-job.ts');
