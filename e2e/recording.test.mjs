// A run is a recording: share it by link, rewind it, export it and replay it natively, and
// survive broken links — in a real browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import {
  servedApp, openApp, screenshot, runSql, setField, step, digest, seek, shots,
} from "./harness.mjs";

const app = servedApp();

const CREATE = "CREATE TABLE orders (id SERIAL PRIMARY KEY, user_id INT NOT NULL, amount NUMERIC(10,2))";
const INSERT = "INSERT INTO orders (user_id, amount) VALUES (101, 19.99)";

/** Drags the scrubber to the end of the recording. */
async function seekToEnd(page) {
  await seek(page, Number(await page.getAttribute('[data-testid="scrubber"]', "max")));
}

/** What a person compares between two pages: each card's name, role, state and text. */
async function cards(page) {
  return page.locator('[data-testid="node"]').evaluateAll((nodes) => nodes.map((n) =>
    `${n.dataset.node} ${n.dataset.role} ${n.dataset.state}: ${n.querySelector("dl").innerText} ${n.querySelector(".tables").innerText}`));
}

async function timeline(page) {
  return page.innerText('[data-testid="failover-timeline"]');
}

/** The lesson's failover story, acted in the page: every input by clicking. */
async function actFailover(page) {
  await page.click('[data-testid="play-toggle"]'); // pause: time moves only when we step
  await page.check('[data-testid="auto-failover"]');
  await setField(page, "failover-loop-wait", "2s");
  await setField(page, "failover-ttl", "6s");
  await runSql(page, "router", CREATE);
  await step(page, 2);
  await runSql(page, "router", INSERT);
  const delay = page.locator('[data-node="pg3"] [data-testid="link-delay"]');
  await delay.fill("1500ms");
  await delay.press("Enter");
  await delay.blur();
  await step(page);
  await page.click('[data-node="pg1"] [data-testid="crash"]');
  // The exact moment (the clock shows tenths; the clock runs a few frames before the pause).
  const crashAtMs = Number(await page.inputValue('[data-testid="scrubber"]'));
  await step(page, 9);
  return crashAtMs;
}

test("a share link opens the same run at the same moment in a fresh page", async (t) => {
  const { page: a, errors } = await openApp(app.browser, app.url);
  await actFailover(a);
  const roles = await a.locator('[data-testid="node"]').evaluateAll(
    (nodes) => Object.fromEntries(nodes.map((n) => [n.dataset.node, n.dataset.role])));
  assert.equal(roles.pg1, "replica", "the crashed primary was replaced");
  await a.click('[data-testid="share"]');
  const link = await a.inputValue('[data-testid="share-link"]');
  assert.match(link, /#run=v1\.[A-Za-z0-9_-]+$/);
  assert.ok(link.length < 2000, `a short link: ${link.length} characters`);
  t.diagnostic(`the failover story's link: ${link.length} characters`);
  assert.match(await a.innerText('[data-testid="recording"]'), /copied · \d+ characters/);
  // The browser deflated it; replica-sim inflates it with miniz_oxide to the same run.
  const native = execFileSync("cargo", ["run", "--quiet", "--locked", "--bin", "replica-sim", "--", "--link", link],
    { cwd: path.resolve(import.meta.dirname, ".."), encoding: "utf8" });
  const nativeDigest = native.match(/# digest ([0-9a-f]{16}) at t = [\d.]+s\n$/)?.[1];
  assert.equal(nativeDigest, await digest(a), "the page's link replays natively to the same digest");

  const { page: b, errors: errorsB } = await openApp(app.browser, link);
  const moment = await a.innerText('[data-testid="scrub-time"]');
  await b.waitForFunction((t) => document.querySelector('[data-testid="scrub-time"]')?.innerText === t, moment);
  assert.equal(await digest(b), await digest(a), "the same run, to the bit");
  assert.deepEqual(await cards(b), await cards(a));
  assert.equal(await timeline(b), await timeline(a));
  assert.equal(await b.innerText('[data-testid="clock"]'), await a.innerText('[data-testid="clock"]'));
  assert.match(await b.innerText('[data-testid="play-toggle"]'), /Play/, "an opened link is paused there");
  await screenshot(b, "15-share-link-opened");
  assert.deepEqual(errors, []);
  assert.deepEqual(errorsB, []);
  await a.close();
  await b.close();
});

test("rewind to before the crash, then step on: the failover happens again at the same times", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  const crashAtMs = await actFailover(page);
  const end = { digest: await digest(page), timeline: await timeline(page), cards: await cards(page) };
  await seek(page, crashAtMs - 500);
  await page.waitForSelector('[data-testid="rewound"]');
  assert.equal(Number(await page.inputValue('[data-testid="scrubber"]')), crashAtMs - 500);
  assert.match(await page.innerText('[data-testid="clock"]'), /^t = \d+\.\d s$/);
  assert.equal(await page.getAttribute('[data-node="pg1"]', "data-role"), "primary");
  assert.equal(await page.getAttribute('[data-node="pg1"]', "data-state"), "running");
  await screenshot(page, "16-rewound-before-the-crash");
  // Step back to the end: the recording plays again.
  await page.click('[data-testid="step"]'); // half a second after the crash: it happened again
  assert.equal(await page.getAttribute('[data-node="pg1"]', "data-state"), "crashed");
  await seek(page, crashAtMs + 500); // the scrubber from a later moment lands on the same state
  for (let i = 0; i < 8; i++) await page.click('[data-testid="step"]');
  await seekToEnd(page);
  assert.equal(await page.locator('[data-testid="rewound"]').count(), 0, "at the end: live again");
  assert.equal(await digest(page), end.digest);
  assert.equal(await timeline(page), end.timeline);
  assert.deepEqual(await cards(page), end.cards);

  // Acting while rewound starts a branch; undo brings the dropped inputs back.
  await seek(page, crashAtMs - 1000);
  await page.click('[data-node="pg2"] [data-testid="crash"]');
  assert.match(await page.innerText('[data-testid="branched"]'), /the 1 later input of the old one was dropped/);
  await screenshot(page, "17-branch");
  await page.click('[data-testid="undo-branch"]');
  await seekToEnd(page);
  assert.equal(await digest(page), end.digest, "undo restored the crash of pg1");
  assert.deepEqual(errors, []);
  await page.close();
});

test("an exported script replays natively to the digest the page shows, and imports back", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await actFailover(page);
  const shown = await digest(page);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click('[data-testid="export"]'),
  ]);
  fs.mkdirSync(shots, { recursive: true });
  const file = path.join(shots, "exported-run.txt");
  await download.saveAs(file);
  const script = fs.readFileSync(file, "utf8");
  assert.match(script, /^# replica-playground recording v1\n# digest [0-9a-f]{16} at t = [\d.]+s\ncluster\n/);
  assert.match(script, /\ncrash pg1\n/);
  const native = execFileSync("cargo", ["run", "--quiet", "--locked", "--bin", "replica-sim", "--", file],
    { cwd: path.resolve(import.meta.dirname, ".."), encoding: "utf8" });
  const nativeDigest = native.match(/# digest ([0-9a-f]{16}) at t = [\d.]+s\n$/)?.[1];
  assert.equal(nativeDigest, shown, "the same digest natively (64-bit) and in the browser (wasm32)");

  const { page: fresh, errors: freshErrors } = await openApp(app.browser, app.url);
  await fresh.setInputFiles('[data-testid="import-file"]', file);
  await fresh.waitForFunction((d) => document.querySelector('[data-testid="digest"]')?.dataset.digest === d, shown);
  assert.equal(await fresh.locator('[data-testid="notice"]').count(), 0, "a faithful import warns of nothing");
  assert.deepEqual(errors, []);
  assert.deepEqual(freshErrors, []);
  await page.close();
  await fresh.close();
});

/** A link made the way the page makes one: raw DEFLATE, then base64url. */
function linkFor(script) {
  return `${app.url}#run=v1.${zlib.deflateRawSync(Buffer.from(script)).toString("base64url")}`;
}

test("a broken, truncated, tampered or future link says what is wrong over a working playground", async () => {
  const good = linkFor("cluster replicas=2\nsql: CREATE TABLE t (a INT)\nadvance 2s\n");
  const cases = [
    [`${app.url}#run=v1.@@@`, /this link is damaged: it is not base64url/],
    [good.slice(0, good.length - 6), /this link is damaged/],
    [`${app.url}#run=v7.abc`, /format v7, made by a newer replica-playground/],
    // Inflated by the browser's DecompressionStream: data that is not DEFLATE, and a bomb.
    [`${app.url}#run=v1.AAAA`, /its compressed data ends early or is corrupt/],
    [linkFor("#".repeat((1 << 20) + 1)), /it holds more than a recording can be/],
    [linkFor("cluster\nsql: CREATE TABLE t (a INT)\nfly to the moon\n"), /line 3: unknown command "fly"/],
    [linkFor("# replica-playground recording v1\n# digest 0123456789abcdef at t = 2s\ncluster\nadvance 2s\n"),
      /replayed to a different run than it was made from/],
  ];
  for (const [link, message] of cases) {
    const { page, errors } = await openApp(app.browser, link);
    await page.waitForSelector('[data-testid="notice"]');
    assert.match(await page.innerText('[data-testid="notice"]'), message, link);
    const result = await runSql(page, "router", "SELECT 1 AS still_working");
    assert.equal(await result.getAttribute("data-status"), "ok", "the playground still works");
    if (message.source.includes("newer")) await screenshot(page, "18-broken-link");
    assert.deepEqual(errors, []);
    await page.close();
  }
});
