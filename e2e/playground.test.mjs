// The walking skeleton, as a learner sees it in a real browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { servedApp, openApp, screenshot, screenshotOf, runSql, tableRows, setField, step, diagramTextOverlaps } from "./harness.mjs";

const app = servedApp();

const CREATE = "CREATE TABLE orders (id SERIAL PRIMARY KEY, user_id INT NOT NULL, amount NUMERIC(10,2), created_at TIMESTAMP DEFAULT NOW())";
const INSERT = "INSERT INTO orders (user_id, amount) VALUES (101, 19.99)";
const SELECT = "SELECT * FROM orders WHERE user_id = 101";

test("the page loads without console errors and shows a primary and two replicas", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
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
  const { page, errors } = await openApp(app.browser, app.url);
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
  const { page, errors } = await openApp(app.browser, app.url);
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

test("a crashed replica stops answering and catches up after a restart", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="play-toggle"]');
  await runSql(page, "router", CREATE);
  await page.click('[data-testid="step"]');
  await page.click('[data-node="pg3"] [data-testid="crash"]');
  assert.equal(await page.getAttribute('[data-node="pg3"]', "data-state"), "crashed");
  await runSql(page, "router", INSERT);
  const down = await runSql(page, "pg3", SELECT);
  assert.match(await down.innerText(), /connection to server "pg3" failed: Connection refused/);
  // The router skips the crashed replica.
  for (let i = 0; i < 2; i++) {
    const read = await runSql(page, "router", SELECT);
    assert.equal(await read.getAttribute("data-node"), "pg2");
  }
  await page.click('[data-testid="step"]');
  assert.equal(await tableRows(page, "pg2", "orders"), 1);
  await screenshot(page, "05-crashed-replica");
  await page.click('[data-node="pg3"] [data-testid="restart"]');
  for (let i = 0; i < 8; i++) await page.click('[data-testid="step"]');
  assert.equal(await page.getAttribute('[data-node="pg3"]', "data-state"), "running");
  assert.equal(await page.innerText('[data-node="pg3"] [data-testid="receiver"]'), "streaming");
  assert.equal(await tableRows(page, "pg3", "orders"), 1, "pg3 caught up after its restart");
  assert.deepEqual(errors, []);
  await page.close();
});

test("under synchronous commit a write waits for the standby, and the page says so", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="play-toggle"]');
  await page.selectOption('[data-testid="commit-mode"]', "remote_apply");
  await page.selectOption('[data-testid="sql-target"]', "router");
  await page.fill('[data-testid="sql-input"]', CREATE);
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="pending"]');
  assert.match(await page.innerText('[data-testid="pending"]'), /synchronous_commit = remote_apply/);
  await screenshot(page, "06-sync-commit-waiting");
  await page.click('[data-testid="step"]');
  await page.click('[data-testid="step"]');
  assert.equal(await page.locator('[data-testid="pending"]').count(), 0);
  const done = page.locator('[data-testid="result"]').first();
  assert.match(await done.innerText(), /took 2s/);
  assert.match(await done.innerText(), /replay on FIRST 1 \(\*\)/);
  // Now the write is visible on every replica the moment it is acknowledged.
  await page.fill('[data-testid="sql-input"]', INSERT);
  await page.click('[data-testid="run"]');
  await page.click('[data-testid="step"]');
  await page.click('[data-testid="step"]');
  const fresh = await runSql(page, "router", SELECT);
  assert.equal(await fresh.getAttribute("data-rows"), "1");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a commit waiting for its standby is invisible to other sessions; Cancel ends the wait with PostgreSQL's warning", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="play-toggle"]');
  await runSql(page, "pg1", "CREATE TABLE orders (id INT PRIMARY KEY, item TEXT)");
  await page.click('[data-testid="step"]');
  await runSql(page, "pg1", "ALTER SYSTEM SET synchronous_standby_names = 'pg2'");
  await runSql(page, "pg1", "SELECT pg_reload_conf()");
  await page.click('[data-testid="script-panel"] summary');
  await page.fill('[data-testid="script-input"]', "partition pg2");
  await page.click('[data-testid="script-run"]');
  // alice's INSERT commits locally and waits for pg2, which it cannot reach.
  await page.selectOption('[data-testid="sql-target"]', "pg1");
  await page.fill('[data-testid="sql-input"]', "INSERT INTO orders VALUES (1, 'book')");
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="pending"]');
  assert.match(await page.innerText('[data-testid="pending"]'), /flush on FIRST 1 \(pg2\)/);
  // bob, on the same primary, does not see it; pg_stat_activity shows alice waiting.
  await page.click('[data-testid="session-tab"][data-session="bob"]');
  const bobs = await runSql(page, "pg1", "SELECT * FROM orders");
  assert.equal(await bobs.getAttribute("data-rows"), "0");
  const activity = await runSql(page, "pg1", "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity WHERE wait_event = 'SyncRep'");
  assert.equal(await activity.getAttribute("data-rows"), "1");
  assert.match(await activity.innerText(), /SyncRep/);
  await screenshot(page, "19-sync-commit-invisible");
  // Cancel (psql's Ctrl+C): the commit stands locally, with PostgreSQL's warning.
  await page.click('[data-testid="pending"] [data-testid="cancel"]');
  await page.waitForSelector('[data-testid="sql-notice"]');
  assert.match(await page.innerText('[data-testid="sql-notice"]'), /canceling wait for synchronous replication due to user request/);
  assert.match(await page.innerText('[data-testid="sql-notice"]'), /committed locally, but might not have been replicated/);
  assert.equal(await page.locator('[data-testid="pending"]').count(), 0);
  const after = await runSql(page, "pg1", "SELECT * FROM orders");
  assert.equal(await after.getAttribute("data-rows"), "1");
  await screenshot(page, "20-sync-commit-cancelled");
  // A waiting commit keeps its row locks: bob's UPDATE waits for pg2, and carol's UPDATE of
  // the same row waits for bob's lock, saying whose it is; once pg2 is back both finish.
  await page.fill('[data-testid="sql-input"]', "UPDATE orders SET item = 'lamp' WHERE id = 1");
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="pending"]');
  await step(page);
  assert.match(await page.innerText('[data-testid="pending"]'), /commit waiting/);
  await page.click('[data-testid="session-tab"][data-session="carol"]');
  await page.selectOption('[data-testid="sql-target"]', "pg1");
  await page.fill('[data-testid="sql-input"]', "UPDATE orders SET item = item || '!' WHERE id = 1");
  await page.click('[data-testid="run"]');
  await page.waitForFunction(() =>
    /waiting for a row lock on pg1: op \d+ \(bob\)/.test(document.querySelector('[data-testid="results"]')?.innerText ?? ""));
  await screenshot(page, "20b-row-lock-wait");
  await page.fill('[data-testid="script-input"]', "heal");
  await page.click('[data-testid="script-run"]');
  // The clock pauses after a script: step it while pg2 reconnects and acknowledges.
  for (let i = 0; i < 20 && (await page.locator('[data-testid="pending"]').count()) > 0; i++) {
    await step(page);
  }
  assert.equal(await page.locator('[data-testid="pending"]').count(), 0);
  const final = await runSql(page, "pg1", "SELECT item FROM orders WHERE id = 1");
  assert.match(await final.innerText(), /lamp!/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the checker flags the lesson's read-your-writes violation, and the LSN check prevents it", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="play-toggle"]');
  await runSql(page, "router", CREATE);
  await page.click('[data-testid="step"]');
  await page.click('[data-testid="step"]');
  await runSql(page, "router", INSERT);
  const stale = await runSql(page, "router", SELECT);
  assert.equal(await stale.getAttribute("data-rows"), "0");
  await page.click('[data-testid="check"]');
  const findings = page.locator('[data-testid="finding"]');
  assert.equal(await findings.count(), 1);
  assert.match(await findings.first().innerText(), /read-your-writes violation/);
  assert.match(await findings.first().innerText(), /had replayed only to/);
  await screenshot(page, "07-checker-finding");

  // Version check: the read waits for a replica that has replayed the session's commit.
  await page.selectOption('[data-testid="ryw"]', "lsn");
  await runSql(page, "router", "INSERT INTO orders (user_id, amount) VALUES (101, 5.00)");
  await page.fill('[data-testid="sql-input"]', SELECT);
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="pending"]');
  assert.match(await page.innerText('[data-testid="pending"]'), /waiting for a replica to replay/);
  await page.click('[data-testid="step"]');
  const fresh = page.locator('[data-testid="result"]').first();
  assert.equal(await fresh.getAttribute("data-rows"), "2", "the read saw both of the session's orders");
  await page.click('[data-testid="check"]');
  assert.equal(await findings.count(), 1, "no new violation under the LSN check");
  assert.deepEqual(errors, []);
  await page.close();
});

test("with auto failover on, a crashed primary is replaced and rejoins as a replica", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="play-toggle"]');
  await page.check('[data-testid="auto-failover"]');
  await runSql(page, "router", CREATE);
  await page.click('[data-testid="step"]');
  await page.click('[data-testid="step"]');
  await runSql(page, "router", INSERT);
  await page.click('[data-testid="step"]');
  await page.click('[data-node="pg1"] [data-testid="crash"]');
  const write = await runSql(page, "router", INSERT);
  assert.match(await write.innerText(), /no primary is accepting writes right now/,
    "no primary takes writes yet, and the router says why");
  // Patroni's defaults: checks every 10 s, lease 30 s.
  for (let i = 0; i < 42; i++) await page.click('[data-testid="step"]');
  const roles = await page.locator('[data-testid="node"]').evaluateAll(
    (cards) => Object.fromEntries(cards.map((c) => [c.dataset.node, c.dataset.role])));
  assert.equal(roles.pg1, "replica", "the old primary is demoted");
  assert.ok(roles.pg2 === "primary" || roles.pg3 === "primary", JSON.stringify(roles));
  assert.match(await page.innerText('[data-testid="events"]'), /PROMOTED: primary on timeline 2/);
  assert.match(await page.innerText('[data-testid="events"]'), /recovery time/);
  assert.match(await page.innerText('[data-testid="last-failover"]'),
    /pg1 → pg[23] at .* \(timeline 2\), recovery time/);
  const after = await runSql(page, "router", INSERT);
  assert.equal(await after.getAttribute("data-status"), "ok", "the new primary takes writes");
  await page.click('[data-node="pg1"] [data-testid="restart"]');
  for (let i = 0; i < 10; i++) await page.click('[data-testid="step"]');
  assert.equal(await page.getAttribute('[data-node="pg1"]', "data-state"), "running");
  assert.equal(await page.innerText('[data-node="pg1"] [data-testid="receiver"]'), "streaming");
  assert.equal(await tableRows(page, "pg1", "orders"), 2, "pg1 caught up with the new primary");
  await screenshot(page, "08-failover");
  assert.deepEqual(errors, []);
  await page.close();
});


test("with fencing off, a primary cut off from the manager keeps taking writes: split brain", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="play-toggle"]');
  await page.check('[data-testid="auto-failover"]');
  await setField(page, "failover-loop-wait", "2s"); // first: ttl may not be below loop_wait
  await setField(page, "failover-ttl", "6s");
  await page.uncheck('[data-testid="fencing"]');
  await setField(page, "endpoint-ttl", "30s");
  await runSql(page, "router", CREATE);
  await page.click('[data-testid="step"]');
  await runSql(page, "router", INSERT); // the console caches the endpoint's answer: pg1
  await page.click('[data-node="pg1"] [data-testid="cut-manager"]');
  for (let i = 0; i < 8; i++) await page.click('[data-testid="step"]');
  assert.match(await page.innerText('[data-testid="endpoint"]'), /→ pg2/, "the endpoint moved");
  const write = await runSql(page, "router", INSERT);
  assert.equal(await write.getAttribute("data-status"), "ok");
  assert.equal(await write.getAttribute("data-node"), "pg1", "the cached address still says pg1");
  assert.match(await page.innerText('[data-testid="split-brain"]'), /pg1 \(timeline 1\) and pg2 \(timeline 2\) both take writes/);
  assert.equal(await page.locator('[data-node="pg1"] [data-testid="stale-primary"]').count(), 1);
  const timeline = await page.innerText('[data-testid="failover-timeline"]');
  assert.match(timeline, /health check of pg1 failed/);
  assert.match(timeline, /pg2 PROMOTED/);
  assert.match(timeline, /SPLIT BRAIN: pg1 acknowledged/);
  // The old primary's box says both "split brain" and "no manager", alice's her cached DNS
  // answer: every text of the diagram stays clear of the others.
  assert.equal(await page.locator('[data-testid="cached-dns"]').count(), 1);
  assert.deepEqual(await diagramTextOverlaps(page), []);
  await screenshot(page, "09-split-brain");
  await screenshotOf(page, "diagram", "09b-split-brain-diagram");
  await page.click('[data-node="pg1"] [data-testid="heal-manager"]');
  for (let i = 0; i < 3; i++) await page.click('[data-testid="step"]');
  assert.equal(await page.locator('[data-testid="split-brain"]').count(), 0, "one primary again");
  assert.equal(await page.getAttribute('[data-node="pg1"]', "data-role"), "replica");
  await page.click('[data-testid="check"]');
  const findings = await page.innerText(".findings");
  assert.match(findings, /split-brain write/);
  assert.match(findings, /lost write/);
  await screenshot(page, "10-split-brain-healed");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a read served by the cache is stale, says so, and the checker flags it", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="play-toggle"]');
  await page.check('[data-testid="cache-enabled"]');
  await setField(page, "cache-ttl", "10s");
  await runSql(page, "router", CREATE);
  await page.click('[data-testid="step"]');
  const first = await runSql(page, "router", SELECT);
  assert.equal(await first.getAttribute("data-rows"), "0");
  await runSql(page, "router", INSERT);
  await page.click('[data-testid="step"]');
  await page.click('[data-testid="step"]');
  const cached = await runSql(page, "router", SELECT);
  assert.equal(await cached.getAttribute("data-rows"), "0", "the cache still holds the old answer");
  assert.match(await cached.innerText(), /answered by the read cache/);
  assert.match(await cached.innerText(), /from the read cache: no node ran it/);
  assert.match(await page.innerText('[data-testid="cache-stats"]'), /hit ratio 50%/);
  await page.click('[data-testid="check"]');
  assert.match(await page.innerText(".findings"), /answered by the read cache/);
  await screenshot(page, "11-read-cache");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a scenario script sets the scene in the page: the split-brain example", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="script-panel"] summary');
  await page.getByRole("button", { name: "split brain" }).click();
  assert.match(await page.inputValue('[data-testid="script-input"]'), /partition pg1 from=manager/);
  await page.click('[data-testid="script-run"]');
  await page.waitForSelector('[data-testid="script-output"]');
  const transcript = await page.innerText('[data-testid="script-output"]');
  assert.match(transcript, /> partition pg1 from=manager/);
  assert.match(transcript, /SPLIT BRAIN: pg1 \(timeline 1\) and pg2 \(timeline 2\) both take writes/);
  assert.equal(await page.innerText('[data-testid="play-toggle"]'), "▶ Play", "the clock paused");
  assert.equal(await page.locator('[data-node="pg1"] [data-testid="stale-primary"]').count(), 1);
  assert.match(await page.innerText('[data-testid="split-brain"]'), /both take writes/);
  await screenshot(page, "12-script-split-brain");
  // A bad line stops the script and the toolbar says where.
  await page.fill('[data-testid="script-input"]', "cluster replicas=1\nadvance soon");
  await page.click('[data-testid="script-run"]');
  assert.match(await page.innerText('[data-testid="notice"]'), /script stopped at line 2/);
  assert.equal(await page.locator('[data-testid="node"]').count(), 2);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the router's weights and max lag decide which replica answers", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="play-toggle"]');
  await runSql(page, "router", CREATE);
  await page.click('[data-testid="step"]');
  await page.selectOption('[data-testid="router-policy"]', "weights");
  await page.fill('[data-testid="router-weights"]', "pg2:0, pg3:1");
  await page.press('[data-testid="router-weights"]', "Enter");
  for (let i = 0; i < 3; i++) {
    const read = await runSql(page, "router", SELECT);
    assert.equal(await read.getAttribute("data-node"), "pg3", "pg2 weighs 0: no reads");
  }
  await page.fill('[data-testid="router-weights"]', "pg9:1");
  await page.press('[data-testid="router-weights"]', "Enter");
  assert.match(await page.innerText('[data-testid="notice"]'), /no node named "pg9"/);
  // Lag pg3 behind max lag: reads fall back to the primary, and the event log says why.
  await page.selectOption('[data-testid="router-policy"]', "round-robin");
  await setField(page, "router-max-lag", "500ms");
  await page.fill('[data-node="pg2"] [data-testid="link-delay"]', "5s");
  await page.press('[data-node="pg2"] [data-testid="link-delay"]', "Enter");
  await page.fill('[data-node="pg3"] [data-testid="link-delay"]', "5s");
  await page.press('[data-node="pg3"] [data-testid="link-delay"]', "Enter");
  await runSql(page, "router", INSERT);
  await page.click('[data-testid="step"]');
  const read = await runSql(page, "router", SELECT);
  assert.equal(await read.getAttribute("data-node"), "pg1", "every replica is shunned");
  assert.match(await read.innerText(), /routed here: every replica is over the router's lag limit/);
  assert.match(await page.innerText('[data-testid="events"]'), /over the router's lag limit \(max_replication_lag/);
  await screenshot(page, "13-router");
  assert.deepEqual(errors, []);
  await page.close();
});

test("settings can be typed into while the clock runs, and the console survives a script that shrinks the cluster", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  // The clock runs (ten renders a second): type slowly, then commit.
  await page.click('[data-testid="failover-loop-wait"]');
  await page.fill('[data-testid="failover-loop-wait"]', "");
  await page.type('[data-testid="failover-loop-wait"]', "2500ms", { delay: 150 });
  assert.equal(await page.inputValue('[data-testid="failover-loop-wait"]'), "2500ms", "the draft survived the ticks");
  await page.press('[data-testid="failover-loop-wait"]', "Enter");
  await page.waitForTimeout(300);
  assert.equal(await page.inputValue('[data-testid="failover-loop-wait"]'), "2.5s", "the engine took it");
  // Invalid text stays, marked, until corrected.
  await page.fill('[data-testid="failover-ttl"]', "soon");
  await page.press('[data-testid="failover-ttl"]', "Enter");
  await page.waitForTimeout(300);
  assert.equal(await page.inputValue('[data-testid="failover-ttl"]'), "soon");
  assert.equal(await page.getAttribute('[data-testid="failover-ttl"]', "aria-invalid"), "true");
  // Send to pg3, then a script rebuilds the cluster with one replica: Run falls back to the router.
  await page.selectOption('[data-testid="sql-target"]', "pg3");
  await page.click('[data-testid="script-panel"] summary');
  await page.fill('[data-testid="script-input"]', "cluster replicas=1 delay=100ms");
  await page.click('[data-testid="script-run"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="node"]').length === 2);
  await page.fill('[data-testid="sql-input"]', "SELECT 1");
  await page.click('[data-testid="run"]');
  const result = page.locator('[data-testid="result"]').first();
  await result.waitFor();
  assert.equal(await result.getAttribute("data-status"), "ok");
  assert.deepEqual(errors, []);
  await page.close();
});

test("promote and switchover from the node cards; failover priority, maximum_lag_on_failover and max lag bytes in the settings", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="play-toggle"]');
  await runSql(page, "router", CREATE);
  await page.click('[data-testid="step"]');
  await runSql(page, "router", INSERT);
  await page.click('[data-testid="step"]');
  // Patroni refuses a switchover to a node tagged nofailover.
  await setField(page, "failover-priority", "pg3:0");
  assert.equal(await page.inputValue('[data-testid="failover-priority"]'), "pg3:0");
  await page.click('[data-node="pg3"] [data-testid="switchover"]');
  assert.match(await page.innerText('[data-testid="notice"]'), /pg3 has failover priority 0 \(nofailover\)/);
  // A planned switchover to pg2: nothing lost, pg1 follows without a rewind.
  await page.click('[data-node="pg2"] [data-testid="switchover"]');
  await page.click('[data-testid="step"]');
  assert.equal(await page.getAttribute('[data-node="pg2"]', "data-role"), "primary");
  assert.equal(await page.getAttribute('[data-node="pg1"]', "data-role"), "replica");
  assert.match(await page.innerText('[data-testid="events"]'), /pg1 sees timeline 2: demoted to a replica; its WAL is all on pg2's history, so it follows without a rewind/);
  assert.equal(await page.locator('[data-node="pg2"] [data-testid="promote"]').count(), 0, "a primary has no promote button");
  // The new primary crashes; promoting pg3 by hand reports the recovery time from the crash.
  await page.click('[data-node="pg2"] [data-testid="crash"]');
  await page.click('[data-testid="step"]');
  await page.click('[data-node="pg3"] [data-testid="promote"]');
  await page.click('[data-testid="step"]');
  assert.equal(await page.getAttribute('[data-node="pg3"]', "data-role"), "primary");
  assert.equal(await page.innerText('[data-node="pg3"] [data-testid="timeline"]'), "3");
  assert.match(await page.innerText('[data-testid="last-failover"]'), /pg2 → pg3 at .* \(timeline 3\), recovery time 1s/);
  assert.equal(await tableRows(page, "pg3", "orders"), 1, "nothing acknowledged was lost");
  // Sizes: maximum_lag_on_failover and the router's byte limit; a bad size is refused.
  await setField(page, "failover-max-lag", "64kB");
  assert.equal(await page.inputValue('[data-testid="failover-max-lag"]'), "64kB");
  await setField(page, "router-max-lag-bytes", "16kB");
  assert.equal(await page.inputValue('[data-testid="router-max-lag-bytes"]'), "16kB");
  await setField(page, "failover-max-lag", "lots");
  assert.match(await page.innerText('[data-testid="notice"]'), /maximum_lag_on_failover: expected a size/);
  await screenshot(page, "14-promote-switchover");
  assert.deepEqual(errors, []);
  await page.close();
});

test("sessions: bob's read misses alice's write (a stale read), alice's own is a read-your-writes violation; her primary window is adjustable and each answer says why it went there", async () => {
  const { page, errors } = await openApp(app.browser, app.url);
  await page.click('[data-testid="play-toggle"]');
  await runSql(page, "router", CREATE);
  await page.click('[data-testid="step"]');
  await page.click('[data-testid="step"]');
  assert.equal(await page.getAttribute('[data-testid="session-tab"][data-session="alice"]', "aria-selected"), "true");
  await runSql(page, "router", INSERT);
  await page.click('[data-testid="session-tab"][data-session="bob"]');
  const bobs = await runSql(page, "router", SELECT);
  assert.equal(await bobs.getAttribute("data-rows"), "0");
  assert.match(await page.locator(".reply").first().innerText(), /bob via router/);
  await page.click('[data-testid="session-tab"][data-session="alice"]');
  await runSql(page, "router", SELECT);
  await page.click('[data-testid="check"]');
  const findings = await page.innerText(".findings");
  assert.match(findings, /stale read/);
  assert.match(findings, /session bob/);
  assert.match(findings, /read-your-writes violation/);
  assert.match(findings, /the same session alice/);
  // alice reads from the primary for 3 s after her writes; bob keeps no strategy.
  await page.selectOption('[data-testid="ryw"]', "primary");
  await setField(page, "ryw-duration", "3s");
  assert.equal(await page.inputValue('[data-testid="ryw-duration"]'), "3s");
  await runSql(page, "router", INSERT);
  const own = await runSql(page, "router", SELECT);
  assert.equal(await own.getAttribute("data-node"), "pg1");
  assert.match(await own.innerText(), /routed here: ryw=primary: within 3s of the session's last write/);
  await page.click('[data-testid="session-tab"][data-session="bob"]');
  assert.equal(await page.inputValue('[data-testid="ryw"]'), "none", "bob has his own strategy");
  for (let i = 0; i < 4; i++) await page.click('[data-testid="step"]');
  await page.click('[data-testid="session-tab"][data-session="alice"]');
  assert.equal(await page.inputValue('[data-testid="ryw"]'), "primary", "alice's strategy is shown again");
  const later = await runSql(page, "router", SELECT);
  assert.notEqual(await later.getAttribute("data-node"), "pg1", "after the window, replicas again");
  await screenshot(page, "15-sessions");
  assert.deepEqual(errors, []);
  await page.close();
});
