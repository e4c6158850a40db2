// The walking skeleton, as a learner sees it in a real browser.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveDist, launch, openApp, screenshot, runSql, tableRows } from "./harness.mjs";

let server, url, browser;
before(async () => {
  ({ server, url } = await serveDist());
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

const CREATE = "CREATE TABLE orders (id SERIAL PRIMARY KEY, user_id INT NOT NULL, amount NUMERIC(10,2), created_at TIMESTAMP DEFAULT NOW())";
const INSERT = "INSERT INTO orders (user_id, amount) VALUES (101, 19.99)";
const SELECT = "SELECT * FROM orders WHERE user_id = 101";

test("the page loads without console errors and shows a primary and two replicas", async () => {
  const { page, errors } = await openApp(browser, url);
  const roles = await page.locator('[data-testid="node"]').evaluateAll(
    (cards) => cards.map((c) => `${c.dataset.node}:${c.dataset.role}`));
  assert.deepEqual(roles, ["pg1:primary", "pg2:replica", "pg3:replica"]);
  // The clock runs by itself.
  const t0 = await page.innerText('[data-testid="clock"]');
  await page.waitForFunction((t) => document.querySelector('[data-testid="clock"]').innerText !== t, t0);
  await screenshot(page, "01-loaded");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a routed read right after a write misses it, and sees it once the lag has passed", async () => {
  const { page, errors } = await openApp(browser, url);
  await page.click('[data-testid="play-toggle"]'); // pause: time moves only when we step
  const created = await runSql(page, "router", CREATE);
  assert.equal(await created.getAttribute("data-node"), "pg1");
  await page.click('[data-testid="step"]');
  await page.click('[data-testid="step"]');
  for (const node of ["pg1", "pg2", "pg3"]) assert.equal(await tableRows(page, node, "orders"), 0);

  const inserted = await runSql(page, "router", INSERT);
  assert.equal(await inserted.getAttribute("data-status"), "ok");
  assert.equal(await inserted.getAttribute("data-node"), "pg1");
  assert.equal(await tableRows(page, "pg1", "orders"), 1);
  assert.equal(await tableRows(page, "pg2", "orders"), 0);

  const stale = await runSql(page, "router", SELECT);
  assert.match(await stale.getAttribute("data-node"), /^pg[23]$/, "the router sends reads to a replica");
  assert.equal(await stale.getAttribute("data-rows"), "0", "the replica has not replayed the insert yet");
  await page.waitForSelector('[data-node="pg2"] [data-testid="lag"]:has-text("bytes")');
  await screenshot(page, "02-stale-read");

  await page.click('[data-testid="step"]'); // 1 s: the default link delay
  for (const node of ["pg1", "pg2", "pg3"]) assert.equal(await tableRows(page, node, "orders"), 1);
  const fresh = await runSql(page, "router", SELECT);
  assert.match(await fresh.getAttribute("data-node"), /^pg[23]$/);
  assert.equal(await fresh.getAttribute("data-rows"), "1", "after the lag the replica has the row");
  assert.match(await fresh.innerText(), /19\.99/);
  await screenshot(page, "03-replicated");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a write sent straight to a replica is refused and changes nothing", async () => {
  const { page, errors } = await openApp(browser, url);
  await page.click('[data-testid="play-toggle"]');
  await runSql(page, "router", CREATE);
  await page.click('[data-testid="step"]');
  await page.click('[data-testid="step"]');
  const refused = await runSql(page, "pg2", INSERT);
  assert.equal(await refused.getAttribute("data-status"), "error");
  assert.match(await refused.innerText(), /cannot execute INSERT in a read-only transaction/);
  await page.click('[data-testid="step"]');
  await page.click('[data-testid="step"]');
  for (const node of ["pg1", "pg2", "pg3"]) assert.equal(await tableRows(page, node, "orders"), 0);
  await screenshot(page, "04-read-only");
  assert.deepEqual(errors, []);
  await page.close();
});
