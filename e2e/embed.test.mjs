// Hosting anywhere and embedding: dist/ served under a sub-path, framed by a course page that
// drives it with postMessage and hears what happened.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { launch, screenshot, shots } from "./harness.mjs";

const dist = path.resolve(import.meta.dirname, "..", "dist");
const BASE = "/course/replica/";
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".svg": "image/svg+xml" };

function hostPage(port, query, onReadySend) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Course: replication</title><link rel="icon" href="data:,"></head>
<body><h1>Lesson 11: replication</h1>
<iframe id="widget" src="${BASE}?${query}" width="800" height="580" title="replica-playground"></iframe>
<script>
  window.__messages = [];
  window.addEventListener("message", (e) => {
    if (e.origin === "http://127.0.0.1:${port}" && e.data && String(e.data.type).startsWith("replica-playground:")) window.__messages.push(e.data);
  });
  window.send = (message) => document.getElementById("widget").contentWindow.postMessage(message, "http://127.0.0.1:${port}");
  // A host that acts the moment it hears "ready" (the test sets what it sends).
  window.addEventListener("message", (e) => {
    if (e.data?.type === "replica-playground:ready" && window.onReadySend) window.send(window.onReadySend);
  });
  window.onReadySend = ${JSON.stringify(onReadySend ?? null)};
</script></body></html>`;
}

let server, port, browser;
let query = "";
let onReadySend = null;
before(async () => {
  server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (urlPath === "/host.html") return res.writeHead(200, { "content-type": types[".html"] }).end(hostPage(port, query, onReadySend));
    if (!urlPath.startsWith(BASE)) return res.writeHead(404).end("not found");
    const rest = urlPath.slice(BASE.length) || "index.html";
    const file = path.join(dist, rest);
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) return res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = server.address().port;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function openHost(q, sendOnReady = null) {
  query = q;
  onReadySend = sendOnReady;
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const problems = [];
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(String(e)));
  await page.goto(`http://127.0.0.1:${port}/host.html`);
  const frame = page.frameLocator("#widget");
  await frame.locator('[data-testid="diagram"]').waitFor({ timeout: 20_000 });
  return { page, frame, problems };
}

const messages = (page) => page.evaluate(() => window.__messages);

test("served under a sub-path and framed 800×580 by a course page: it loads with no 404, is compact, obeys the host and reports a failover", async () => {
  const { page, frame, problems } = await openHost(`embed=1&autoplay=0&speed=10&origin=http://127.0.0.1:${port}`);
  await page.waitForFunction(() => window.__messages.some((m) => m.type === "replica-playground:ready"));
  assert.match(await frame.locator('[data-testid="play-toggle"]').innerText(), /Play/, "autoplay=0: paused");
  assert.equal(await frame.locator('[data-testid="speed"]').inputValue(), "10");
  assert.equal(await frame.locator('[data-testid="charts"]').count(), 0, "embedded: no panels unless asked");
  await page.evaluate(() => window.send({ type: "replica-playground:run-script", script:
    "failover auto=on loop_wait=2s ttl=6s\nsql: CREATE TABLE t (a INT)\nadvance 2s\ncrash primary\nadvance 10s" }));
  await page.waitForFunction(() => window.__messages.some((m) => m.kind === "failover-completed"), null, { timeout: 20_000 });
  const got = await messages(page);
  const crash = got.find((m) => m.kind === "node-crashed");
  assert.ok(crash && crash.text.includes("pg1"), JSON.stringify(got));
  const promoted = got.find((m) => m.kind === "failover-completed");
  assert.match(promoted.text, /PROMOTED/);
  assert.ok(promoted.at_ms > crash.at_ms);
  await page.evaluate(() => window.send({ type: "replica-playground:nonsense" }));
  await page.waitForFunction(() => window.__messages.some((m) => m.type === "replica-playground:error"));
  assert.match((await messages(page)).find((m) => m.type === "replica-playground:error").message, /unknown message/);
  await page.evaluate(() => window.send({ type: "replica-playground:play" }));
  await frame.locator('[data-testid="play-toggle"]:has-text("Pause")').waitFor();
  await screenshot(page, "30-embedded-host-page");
  assert.deepEqual(problems, []);
  await page.close();
});

test("framed with a share link, the host's first message applies to the link's run", async () => {
  // The link is read asynchronously (the browser inflates it): "ready" must wait for it, or
  // the host's script would run on a fresh cluster the link then replaces.
  const script = "cluster replicas=1\nsql: CREATE TABLE t (a INT)\nadvance 2s\n";
  const link = `run=v1.${zlib.deflateRawSync(Buffer.from(script)).toString("base64url")}`;
  const { page, frame, problems } = await openHost(`embed=1&autoplay=0&origin=http://127.0.0.1:${port}#${link}`,
    { type: "replica-playground:run-script", script: "sql: INSERT INTO t VALUES (1)\nadvance 3s" });
  await page.waitForFunction(() => window.__messages.some((m) => m.type === "replica-playground:ready"));
  await frame.locator('[data-testid="clock"]:has-text("t = 5")').waitFor();
  assert.equal(await frame.locator('[data-testid="diagram-node"]').count(), 2, "the link's cluster: a primary and one replica");
  assert.deepEqual((await messages(page)).filter((m) => m.type === "replica-playground:error"), []);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a bad parameter says what is wrong, over a working playground", async () => {
  const { page, frame, problems } = await openHost(`embed=1&speed=fast&panels=charts,bogus`);
  assert.match(await frame.locator('[data-testid="notice"]').innerText(),
    /parameters were not understood: speed=fast: a number from 0\.1 to 100; unknown panel "bogus"/);
  assert.equal(await frame.locator('[data-testid="charts"]').count(), 0, "a panel list with a mistake is ignored whole");
  await frame.locator('[data-testid="step"]').click();
  assert.match(await frame.locator('[data-testid="clock"]').innerText(), /t = [1-9]/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("?embed=1&lesson=failover: the compact lesson in an 800×580 frame; the host hears the steps and the failover", async () => {
  const { page, frame, problems } = await openHost(`embed=1&lesson=failover&origin=http://127.0.0.1:${port}`);
  await frame.locator('[data-testid="lesson-step"]').first().waitFor();
  assert.match(await frame.locator('[data-testid="lesson-list"] option:checked').innerText(), /^8\. Failover/);
  const steps = frame.locator('[data-testid="lesson-step"]');
  await steps.nth(0).locator('[data-testid="step-show"]').click();
  await page.waitForFunction(() => window.__messages.some((m) => m.type === "replica-playground:step-completed" && m.step === 1));
  await steps.nth(1).locator('[data-testid="step-show"]').click();
  await page.waitForFunction(() => window.__messages.some((m) => m.kind === "failover-completed"), null, { timeout: 20_000 });
  await page.waitForFunction(() => window.__messages.some((m) => m.type === "replica-playground:step-completed" && m.step === 2));
  const completed = (await messages(page)).filter((m) => m.type === "replica-playground:step-completed");
  assert.deepEqual(completed.map((m) => [m.lesson, m.step]), [["failover", 1], ["failover", 2]]);
  assert.equal(await steps.nth(1).getAttribute("data-done"), "true");
  const rows = await frame.locator(".toolbar > *").evaluateAll((items) =>
    items.filter((i) => i.offsetParent !== null).map((i) => Math.round(i.getBoundingClientRect().top)));
  assert.ok(Math.max(...rows) - Math.min(...rows) < 12, `the toolbar keeps to one row in the frame: tops ${rows}`);
  await screenshot(page, "31-embedded-lesson");
  await page.locator("#widget").screenshot({ path: `${shots}/32-embedded-lesson-frame.png` });
  assert.deepEqual(problems, []);
  await page.close();
});
