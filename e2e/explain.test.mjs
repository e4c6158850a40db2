// EXPLAIN in the console: PostgreSQL's plan tree, indented as psql shows it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { servedApp, openApp, screenshot, runSql } from "./harness.mjs";

const app = servedApp();

test("EXPLAIN ANALYZE shows the plan tree with its indentation, Index Cond and actual rows", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="play-toggle"]'); // pause
  await runSql(page, "pg1", "CREATE TABLE orders (id SERIAL PRIMARY KEY, user_id INT, amount NUMERIC(10,2), day DATE DEFAULT CURRENT_DATE)");
  await runSql(page, "pg1", "CREATE INDEX orders_user_id_idx ON orders (user_id)");
  await runSql(page, "pg1", "INSERT INTO orders (user_id, amount) VALUES (101, 19.99), (102, 5), (101, 42)");
  const plan = await runSql(page, "pg1",
    "EXPLAIN ANALYZE SELECT * FROM orders WHERE user_id = 101 ORDER BY amount DESC LIMIT 5");
  assert.equal(await plan.getAttribute("data-status"), "ok");
  const lines = await plan.locator("table.rows td").allInnerTexts();
  assert.match(lines[0], /^Limit {2}\(cost=[\d.]+\.\.[\d.]+ rows=2 width=\d+\) \(actual time=[\d.]+\.\.[\d.]+ rows=2 loops=1\)$/);
  assert.match(lines[1], /^ {2}->  Sort/);
  assert.equal(lines[2], "        Sort Key: amount DESC");
  assert.match(lines[4], /^ {8}->  Index Scan using orders_user_id_idx on orders /);
  assert.equal(lines[5], "              Index Cond: (user_id = 101)");
  assert.match(lines.at(-1), /^Execution Time: \d+\.\d{3} ms$/);
  // The cell keeps psql's indentation on screen: a child line starts further right.
  const cells = plan.locator("table.rows td");
  const firstLetterLeft = (i) => cells.nth(i).evaluate((td) => {
    const node = td.firstChild;
    const at = node.textContent.search(/\S/);
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + 1);
    return range.getBoundingClientRect().left;
  });
  assert.ok((await firstLetterLeft(4)) > (await firstLetterLeft(0)) + 40, "the Index Scan line is indented");
  await plan.scrollIntoViewIfNeeded();
  await screenshot(page, "50-explain-analyze");
  await plan.screenshot({ path: "target/e2e/51-explain-plan.png" });
  assert.deepEqual(errors, []);
  await page.close();
});
