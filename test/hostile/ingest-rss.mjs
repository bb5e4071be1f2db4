// Runs `flowlog ingest DIR` in this process and prints its peak RSS (KiB) last, on stderr: what a bomb costs.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../../services/cli/main.ts');
const code = await main(process.argv.slice(2));
process.stderr.write(`\nmax_rss_kib ${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
