#!/usr/bin/env node
// Runs the TypeScript sources through tsx: no build step between a checkout and a working CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../services/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
