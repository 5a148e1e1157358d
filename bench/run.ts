/**
 * `npm run bench -- <name> [--json PATH] [--flags]` runs one benchmark;
 * `npm run bench` runs all of them in turn. Each benchmark lives in
 * `bench/<name>.bench.ts` and exports `run(args: string[]): Promise<void>`.
 * Benchmarks are kept out of vitest: performance lives here, not in timed tests.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();

const [name, ...rest] = process.argv.slice(2);
const names = name === undefined || name.startsWith('--') ? available : [name];
const args = name === undefined || name.startsWith('--') ? process.argv.slice(2) : rest;

for (const n of names) {
  if (!available.includes(n)) {
    console.error(`unknown benchmark "${n}"; available: ${available.join(', ')}`);
    process.exit(2);
  }
  const mod = (await import(`./${n}.bench.ts`)) as { run: (args: string[]) => Promise<void> };
  // With several benchmarks and one --json PATH, suffix the file with the bench name.
  const perBench = names.length > 1 ? args.map((a, i) => (args[i - 1] === '--json' ? a.replace(/(\.json)?$/, `.${n}.json`) : a)) : args;
  await mod.run(perBench);
}
