// The lessons: pick one, read it, do a step by hand and see it turn green, let "Show me" do the
// next, move with Back / Next, reload and find the progress kept; a bad ?lesson= says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { servedApp, openApp, screenshot, runSql, setField } from "./harness.mjs";

const app = servedApp();

const title = (page) => page.locator('[data-testid="lesson-title"]').innerText();
const step = (page, n) => page.locator('[data-testid="lesson-step"]').nth(n);
const waitDone = (page, n) =>
  page.waitForSelector(`[data-testid="lesson-step"]:nth-child(${n + 1})[data-done="true"]`, { timeout: 15_000 });

test("walk a lesson: next and back, a step done by hand turns green, Show me does the next, progress survives a reload", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="lesson-start"]');
  assert.match(await title(page), /^1\. Why replication/);
  await page.click('[data-testid="lesson-next"]');
  assert.match(await title(page), /^2\. Primary and replica/);
  await page.click('[data-testid="lesson-back"]');
  assert.match(await title(page), /^1\. Why replication/);
  await page.click('[data-testid="lesson-next"]');
  assert.equal(await step(page, 0).getAttribute("data-done"), "false");

  // Step 1 by hand, in the console: an INSERT through the router lands on the primary.
  await runSql(page, "router", "INSERT INTO orders (user_id, amount) VALUES (101, 19.99)");
  await waitDone(page, 0);
  assert.match(await step(page, 0).innerText(), /committed at once/, "a done step says what it showed");
  assert.equal(await step(page, 1).getAttribute("data-done"), "false");
  await screenshot(page, "40-lesson-step-done");

  // Step 2 by "Show me": time passes until both replicas have replayed the insert.
  await step(page, 1).locator('[data-testid="step-show"]').click();
  await waitDone(page, 1);

  // "Replay this step" rewinds to where step 2 began, paused.
  await step(page, 1).locator('[data-testid="step-replay"]').click();
  assert.match(await page.locator('[data-testid="play-toggle"]').innerText(), /Play/);

  await page.reload();
  await page.waitForSelector('[data-testid="lesson-list"]');
  const options = await page.locator('[data-testid="lesson-list"] option').allInnerTexts();
  assert.ok(options.some((o) => /^2\. Primary and replica.*\(2\/3\)$/.test(o)), options.join(" | "));
  await page.selectOption('[data-testid="lesson-list"]', "1");
  await waitDone(page, 0);
  await waitDone(page, 1);
  assert.equal(await step(page, 2).getAttribute("data-done"), "false");
  await screenshot(page, "41-lesson-progress-kept");
  assert.deepEqual(errors, []);
  await page.close();
});

test("every lesson opens, and its first step's Show me turns it green", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  const count = await page.locator('[data-testid="lesson-list"] option').count();
  assert.equal(count, 13, "twelve lessons and the placeholder");
  for (let index = 0; index < count - 1; index++) {
    await page.selectOption('[data-testid="lesson-list"]', String(index));
    await step(page, 0).locator('[data-testid="step-show"]').click();
    await waitDone(page, 0);
  }
  await screenshot(page, "42-lesson-monitoring");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a bad ?lesson= names the lessons there are, over a working playground", async () => {
  const { page, errors } = await openApp(app.browser, `${app.url}?lesson=failovr`);
  assert.match(await page.locator('[data-testid="notice"]').innerText(),
    /there is no lesson "failovr"; the lessons are: why-replication, primary-and-replica/);
  await page.click('[data-testid="step"]');
  assert.match(await page.locator('[data-testid="clock"]').innerText(), /t = [1-9]/);
  await page.goto(`${app.url}?lesson=failover`);
  await page.waitForSelector('[data-testid="lesson-title"]');
  assert.match(await title(page), /^8\. Failover/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("interview practice: answer, reveal the model answer, tick points, and Try it plays the experiment", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="interview-toggle"]');
  const picks = page.locator('[data-testid="question-pick"]');
  assert.equal(await picks.count(), 11, "5 checkpoint items, 4 mini-test questions, 2 interview questions");
  await picks.filter({ hasText: "write bottleneck" }).click();
  assert.match(await page.locator('[data-testid="question-text"]').innerText(), /Why does replication not solve the write bottleneck/);
  await page.fill('[data-testid="interview-answer"]', "All writes still hit the primary; replicas only add read capacity.");
  await page.click('[data-testid="reveal-answer"]');
  const points = page.locator('[data-testid="model-answer"] li');
  assert.equal(await points.count(), 3);
  await points.nth(0).locator('[data-testid="point-tick"]').check();
  assert.match(await page.locator('.interview-question').innerText(), /Tick the points your answer made: 1 of 3/);
  assert.equal(await page.inputValue('[data-testid="interview-answer"]'), "All writes still hit the primary; replicas only add read capacity.");
  await screenshot(page, "43-interview-model-answer");
  await points.nth(0).locator('[data-testid="point-try"]').click();
  // The experiment: the write-bottleneck lesson, played through its first step (two replicas added).
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="node"]').length === 4, null, { timeout: 15_000 });
  assert.match(await page.locator('[data-testid="lesson-list"] option:checked').innerText(), /^9\. The write bottleneck/);
  await page.click('[data-testid="interview-toggle"]');
  await page.waitForSelector('[data-testid="lesson-step"]:nth-child(1)[data-done="true"]');
  await screenshot(page, "44-interview-experiment");
  assert.deepEqual(errors, []);
  await page.close();
});

test("read scaling by hand: the load panel sends the heavy report to the primary, then through the router to the replicas", async () => {
  const { page, errors } = await openApp(app.browser, `${app.url}?lesson=read-scaling`);
  await page.waitForSelector('[data-testid="lesson-step"]');
  await setField(page, "load-heavy", "5%");
  await page.selectOption('[data-testid="load-target"]', "primary");
  await page.click('[data-testid="load-start"]');
  await waitDone(page, 0);
  // The panels below the console refresh one per frame: the summary may show the load a frame
  // after the goal is met.
  await page.waitForFunction(() => /answered by: \S/.test(document.querySelector('[data-testid="load-summary"]').textContent));
  assert.match(await page.locator('[data-testid="load-summary"]').innerText(), /answered by: pg1=\d+$/m, "everything on the primary");
  assert.equal(await step(page, 1).getAttribute("data-done"), "false");
  await page.selectOption('[data-testid="load-target"]', "router");
  await waitDone(page, 1);
  await page.waitForFunction(() => /pg2=\d+/.test(document.querySelector('[data-testid="load-summary"]').textContent));
  await screenshot(page, "45-lesson-read-scaling-by-hand");
  assert.deepEqual(errors, []);
  await page.close();
});

test("axe-core finds no serious or critical violations in a lesson or in interview practice, light and dark", async () => {
  const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
  const audit = (page) => page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
  });
  for (const scheme of ["light", "dark"]) {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 860 }, colorScheme: scheme });
    await page.goto(`${app.url}?lesson=failover&autoplay=0`);
    await page.waitForSelector('[data-testid="lesson-step"]');
    await step(page, 0).locator('[data-testid="step-show"]').click();
    await waitDone(page, 0);
    await page.addScriptTag({ path: axePath });
    assert.deepEqual(await audit(page), [], `${scheme}, lesson`);
    await page.click('[data-testid="interview-toggle"]');
    await page.click('[data-testid="reveal-answer"]');
    await page.locator('[data-testid="point-tick"]').first().check();
    assert.deepEqual(await audit(page), [], `${scheme}, interview`);
    await screenshot(page, `46-interview-${scheme}`);
    await page.close();
  }
});

test("the monitoring lesson: the replica health table shows a partitioned replica stop streaming", async () => {
  const { page, errors } = await openApp(app.browser, `${app.url}?lesson=monitoring`);
  await page.waitForSelector('[data-testid="lesson-step"]');
  const pg3 = page.locator('[data-testid="health-row"][data-node="pg3"]');
  assert.equal(await pg3.getAttribute("data-verdict"), "healthy");
  await step(page, 1).locator('[data-testid="step-show"]').click();
  await waitDone(page, 1);
  await page.waitForSelector('[data-testid="health-row"][data-node="pg3"][data-verdict="not streaming"]');
  assert.match(await pg3.innerText(), /not streaming\s+(disconnected|connecting)/);
  assert.equal(await page.locator('[data-testid="health-row"][data-node="pg2"]').getAttribute("data-verdict"), "healthy");
  await page.locator('[data-testid="replica-health"]').scrollIntoViewIfNeeded();
  await screenshot(page, "47-replica-health");
  assert.deepEqual(errors, []);
  await page.close();
});
