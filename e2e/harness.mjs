// Shared e2e plumbing: serve dist/ on 127.0.0.1, drive Debian's chromium via playwright-core
// (which never downloads a browser), collect console errors, save screenshots to target/e2e/.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

const root = path.resolve(import.meta.dirname, "..");
const dist = path.join(root, "dist");
export const shots = path.join(root, "target", "e2e");

const types = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png",
};

/** Serves dist/ on a free loopback port; resolves to { server, url }. */
export function serveDist() {
  if (!fs.existsSync(path.join(dist, "index.html"))) {
    throw new Error("dist/index.html is missing: run `make build` (trunk build --release) first");
  }
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = path.join(dist, urlPath === "/" ? "index.html" : urlPath);
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({ server, url: `http://127.0.0.1:${server.address().port}/` });
    });
  });
}

/** Launches headless chromium the way this machine allows it. */
export async function launch() {
  const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  // Playwright gives each launch a fresh temporary profile of its own.
  const args = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
  ];
  return chromium.launch({ executablePath, args, headless: true });
}

/** Opens the app in a fresh page; returns { page, errors } where errors collects console errors. */
export async function openApp(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors = [];
  page.on("console", (msg) => { if (msg.type() === "error") errors.push(msg.text()); });
  page.on("pageerror", (err) => errors.push(String(err)));
  await page.goto(url);
  await page.waitForSelector('[data-testid="node"]', { timeout: 20_000 });
  return { page, errors };
}

/** Saves a full-page screenshot as target/e2e/NAME.png. While the clock runs, panels out of
 * view are not rendered (content-visibility: auto) until scrolled near; the capture shows
 * them as a learner scrolling down would. */
export async function screenshot(page, name) {
  fs.mkdirSync(shots, { recursive: true });
  await settled(page);
  const shown = await page.addStyleTag({ content: ".below > * { content-visibility: visible !important; }" });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  await shown.evaluate((style) => style.remove());
}

/** Waits until no CSS transition runs (a box gliding to its new place after a promotion). */
export async function settled(page) {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"),
    null, { timeout: 5_000 });
}

/** Saves a screenshot of one element (by test id) as target/e2e/NAME.png, to look at closely. */
export async function screenshotOf(page, testid, name) {
  fs.mkdirSync(shots, { recursive: true });
  await settled(page);
  await page.locator(`[data-testid="${testid}"]`).first().screenshot({ path: path.join(shots, `${name}.png`) });
}

/** The pairs of texts that overlap inside one box of the diagram (a node, a session, the
 * router…), as "box: text / text" lines: none is the goal. A text's box is its line box, taller
 * than its letters, so two lines count as overlapping when they share over 40 % of a height. */
export async function diagramTextOverlaps(page) {
  return page.evaluate(() => {
    const found = [];
    for (const group of document.querySelectorAll('[data-testid="diagram"] g')) {
      const texts = [...group.children].filter((c) => c.tagName === "text");
      const boxes = texts.map((t) => t.getBoundingClientRect());
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i], boxes[j]];
          const shared = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && shared > 0.4 * Math.min(a.height, b.height))
            found.push(`${group.dataset.testid}: ${texts[i].textContent} / ${texts[j].textContent}`);
        }
    }
    return found;
  });
}

/** Types SQL into the console, picks the target, runs it, and returns the newest result element. */
export async function runSql(page, target, sql) {
  const before = await page.locator('[data-testid="result"]').count();
  await page.selectOption('[data-testid="sql-target"]', target);
  await page.fill('[data-testid="sql-input"]', sql);
  await page.press('[data-testid="sql-input"]', "Control+Enter");
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="result"]').length > n, before);
  return page.locator('[data-testid="result"]').first();
}

/** Rows of one table on one node, as its card shows them (0 when it has no such table). */
export async function tableRows(page, node, table) {
  const li = page.locator(`[data-testid="node"][data-node="${node}"] li[data-table="${table}"] .rows`);
  if ((await li.count()) === 0) return 0;
  return parseInt(await li.innerText(), 10);
}

/** Types text (a duration, a size, a list) into a settings input and commits it. */
export async function setField(page, testid, value) {
  await page.fill(`[data-testid="${testid}"]`, value);
  await page.press(`[data-testid="${testid}"]`, "Enter");
  await page.locator(`[data-testid="${testid}"]`).blur();
}

/** Clicks "+1 s" n times. */
export async function step(page, n = 1) {
  for (let i = 0; i < n; i++) await page.click('[data-testid="step"]');
}

/** The run's digest as the page shows it (16 hex digits). */
export async function digest(page) {
  return page.getAttribute('[data-testid="digest"]', "data-digest");
}

/** Drags the recording's scrubber to a moment (ms). */
export async function seek(page, atMs) {
  await page.locator('[data-testid="scrubber"]').evaluate((input, value) => {
    input.value = String(value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, atMs);
}

/**
 * Serves dist/ and launches chromium once for a test file (node:test's before/after hooks);
 * returns { url, browser }, filled in before the first test runs.
 */
export function servedApp() {
  const app = { url: "", browser: null, server: null };
  before(async () => {
    ({ server: app.server, url: app.url } = await serveDist());
    app.browser = await launch();
  });
  after(async () => {
    await app.browser?.close();
    app.server?.close();
  });
  return app;
}
