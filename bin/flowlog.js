#!/usr/bin/env node
// Runs the TypeScript sources through tsx: no build step between a checkout and a working CLI.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every S3 command run under Node 20 that its releases after January 2027 want
// Node 22. The installed version is pinned by the lock file, so the warning says nothing about this
// run. AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false shows it again.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../services/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// The command is done: everything is stored and closed. A client library may still hold a socket its own
// disconnect left open (kafkajs keeps the connection of a group coordinator it replaced after a broker
// restart), and that must not keep a drained `flowlog run` from exiting. The timer does not hold the process.
setTimeout(() => process.exit(), 1000).unref();
