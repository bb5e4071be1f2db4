// Builds release-pages.node (release-pages.c) beside this file with the system's C compiler: run by
// `npm install` / `npm ci` (the package's install script) and by the container image's build stage.
// No compiler is not an error: flowlog runs the same without the module, its engine's start-up pages
// then stay resident (~80-140 MB more peak RSS, docs/performance.md). `--require`: fail instead.
// FLOWLOG_NATIVE_BUILD=skip: do nothing (the image builds it in a stage of its own).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'release-pages.node');
const cc = process.env.CC || 'cc';
const required = process.argv.includes('--require');

if (process.env.FLOWLOG_NATIVE_BUILD === 'skip') process.exit(0);
if (process.platform !== 'linux') {
  console.log(`flowlog: ${out} is for Linux only; skipped on ${process.platform}`);
  process.exit(0);
}
const r = spawnSync(cc, ['-O2', '-shared', '-fPIC', '-Wall', '-Wextra', '-o', out, join(here, 'release-pages.c')], { stdio: 'inherit' });
if (r.status === 0) {
  console.log(`flowlog: built ${out}`);
} else {
  const why = r.error ? `${cc} not found` : `${cc} exited ${r.status}`;
  console.log(`flowlog: could not build ${out} (${why}); the engine's start-up pages will stay resident. Install a C compiler (apt-get install gcc) and run node services/store/native/build.mjs, or ignore this.`);
  if (required) process.exit(1);
}
