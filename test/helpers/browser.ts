/**
 * Headless-Chromium harness for browser tests: bundles an entry file with esbuild,
 * serves it (plus the fixture directory) on localhost and drives Debian's chromium
 * through playwright-core. WebGL runs on SwiftShader, so no GPU is needed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fixturesDir } from './fixtures.js';

export const chromiumPath: string | null = (() => {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return null;
})();

export const chromiumSkipReason =
  'headless Chromium not found (install the Debian package `chromium` or set CHROMIUM_PATH): skipping browser tests';

if (chromiumPath === null) console.warn(`[adtkit tests] ${chromiumSkipReason}`);

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript',
  '.html': 'text/html',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.bin': 'application/octet-stream',
};

/** Command-line flags of the headless Chromium the browser tests launch. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebGL without a GPU: SwiftShader through ANGLE.
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
];

export interface BrowserSession {
  page: Page;
  baseUrl: string;
  /** Console lines the page printed, for failure messages. */
  consoleLines: string[];
  close(): Promise<void>;
}

/**
 * Bundles `entryFile` to an IIFE, serves it at `/bundle.js` from a page at `/`,
 * fixtures under `/fixtures/`, and extra directories under the given prefixes.
 */
export async function openBrowserPage(
  entryFile: string,
  options: { staticDirs?: Record<string, string> } = {},
): Promise<BrowserSession> {
  if (!chromiumPath) throw new Error(chromiumSkipReason);
  const bundle = await build({
    entryPoints: [entryFile],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const bundleText = bundle.outputFiles[0].text;
  const page = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script src="/bundle.js"></script></body></html>`;
  const staticDirs: Record<string, string> = { '/fixtures/': fixturesDir, ...(options.staticDirs ?? {}) };

  const server: Server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (url === '/' || url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    if (url === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundleText);
      return;
    }
    for (const [prefix, dir] of Object.entries(staticDirs)) {
      if (url.startsWith(prefix)) {
        const path = normalize(join(dir, url.slice(prefix.length)));
        if (path.startsWith(resolve(dir)) && existsSync(path)) {
          res.writeHead(200, { 'content-type': contentTypes[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
          return;
        }
      }
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const browser: Browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: [...CHROMIUM_ARGS] });
  const context = await browser.newContext();
  const pageHandle = await context.newPage();
  const consoleLines: string[] = [];
  pageHandle.on('console', (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
  pageHandle.on('pageerror', (err) => consoleLines.push(`pageerror: ${err.message}`));
  await pageHandle.goto(baseUrl + '/');
  return {
    page: pageHandle,
    baseUrl,
    consoleLines,
    async close() {
      await browser.close();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/**
 * Serves static directories (URL prefix → directory; the longest matching prefix wins, `/`
 * serves `index.html` of its directory) on localhost and opens `path` in headless Chromium.
 * For pages that are already built, such as the web demo in examples/web. `extraArgs` are
 * added to {@link CHROMIUM_ARGS} (e.g. `--disable-webgl`).
 */
export async function openStaticSite(
  staticDirs: Record<string, string>,
  options: { path?: string; extraArgs?: readonly string[] } = {},
): Promise<BrowserSession> {
  const path = options.path ?? '/';
  if (!chromiumPath) throw new Error(chromiumSkipReason);
  const prefixes = Object.keys(staticDirs).sort((a, b) => b.length - a.length);
  const server: Server = createServer((req, res) => {
    let url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (url.endsWith('/')) url += 'index.html';
    for (const prefix of prefixes) {
      if (!url.startsWith(prefix)) continue;
      const dir = resolve(staticDirs[prefix]);
      const file = normalize(join(dir, url.slice(prefix.length)));
      if (file.startsWith(dir) && existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
        return;
      }
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])] });
  const page = await (await browser.newContext()).newPage();
  const consoleLines: string[] = [];
  page.on('console', (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => consoleLines.push(`pageerror: ${err.message}`));
  await page.goto(baseUrl + path);
  return {
    page,
    baseUrl,
    consoleLines,
    async close() {
      await browser.close();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
