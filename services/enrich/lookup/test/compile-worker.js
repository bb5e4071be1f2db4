// Worker threads do not inherit the test's tsx loader: register it here, then run the TypeScript side.
import { register } from 'tsx/esm/api';

register();
await import('./compile-worker.ts');
