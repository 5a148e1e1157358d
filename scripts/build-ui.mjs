#!/usr/bin/env node
/**
 * Builds the monitor UI (src/ui, Preact + Tailwind CSS v4) into src/ui/dist
 * with Vite's JS API, and reports the gzipped JavaScript size.
 *
 *   node scripts/build-ui.mjs [--if-stale] [--quiet]
 *
 * --if-stale: skip when src/ui/dist/index.html is newer than every source
 * file the UI is built from (src/ui/**, schemas/fbs, the generated readers),
 * so `npm start` can call it on every start for ~10 ms.
 * Budget: the production JS must stay ≤ 80 KB gzipped (exit 1 above it).
 * Cold: a developer / start-up tool.
 */
import { build } from 'vite';
import tailwindcss from '@tailwindcss/vite';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const uiDir = join(root, 'src', 'ui');
const outDir = join(uiDir, 'dist');
const JS_BUDGET_GZIP = 80 * 1024;
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');

function newestMtime(dir, skip) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (p === skip || name === 'node_modules') continue;
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p, skip) : st.mtimeMs);
  }
  return newest;
}

if (args.has('--if-stale') && existsSync(join(outDir, 'index.html'))) {
  const built = statSync(join(outDir, 'index.html')).mtimeMs;
  const sources = Math.max(
    newestMtime(uiDir, outDir),
    newestMtime(join(root, 'src', 'core', 'codec', 'generated'), ''),
    statSync(fileURLToPath(import.meta.url)).mtimeMs,
  );
  if (built > sources) {
    if (!quiet) console.log('build-ui: src/ui/dist is up to date');
    process.exit(0);
  }
}

const t0 = performance.now();
await build({
  root: uiDir,
  base: '/',
  configFile: false,
  logLevel: quiet ? 'error' : 'warn',
  plugins: [tailwindcss()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 200,
  },
});

let js = 0;
let jsGz = 0;
let css = 0;
let cssGz = 0;
const walk = (d) => {
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.js') || p.endsWith('.css')) {
      const body = readFileSync(p);
      const gz = gzipSync(body, { level: 9 }).length;
      if (p.endsWith('.js')) {
        js += body.length;
        jsGz += gz;
      } else {
        css += body.length;
        cssGz += gz;
      }
    }
  }
};
walk(outDir);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`build-ui: built src/ui/dist in ${((performance.now() - t0) / 1000).toFixed(1)} s — JS ${kb(js)} (${kb(jsGz)} gzipped, budget ${kb(JS_BUDGET_GZIP)}), CSS ${kb(css)} (${kb(cssGz)} gzipped)`);
if (jsGz > JS_BUDGET_GZIP) {
  console.error(`build-ui: JS bundle ${kb(jsGz)} gzipped exceeds the ${kb(JS_BUDGET_GZIP)} budget`);
  process.exit(1);
}
