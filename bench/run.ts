/**
 * `npm run bench`: every benchmark, one after the other, printing all
 * figures. Not part of `npm test`.
 *   1. the SIP parser (bench/parser-bench.ts, runParserBench)
 *   2. REGISTER transactions against `openum serve` with SIPp (bench/register-bench.ts)
 */
import { cpus, totalmem } from 'node:os';
import { formatParserBench, runParserBench } from './parser-bench.js';
import { runRegisterBench } from './register-bench.js';

async function parserBench(): Promise<void> {
  const seconds = process.env['BENCH_PARSER_S'] ? Number(process.env['BENCH_PARSER_S']) : undefined;
  const result = await runParserBench(seconds === undefined ? undefined : { seconds });
  console.log(formatParserBench(result));
}

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(
    `openum bench: node ${process.version}, ${cpu.length} x ${cpu[0]?.model.trim() ?? 'cpu'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${new Date().toISOString()}`,
  );
  const t0 = Date.now();
  console.log('\n== SIP parser ==');
  await parserBench();
  console.log(`(parser bench: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  const t1 = Date.now();
  console.log('\n== REGISTER (openum serve + SIPp, UDP, digest auth) ==');
  await runRegisterBench();
  console.log(`(REGISTER bench: ${((Date.now() - t1) / 1000).toFixed(1)} s)`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
