// `make bench`, in the browser: record the standard load (1 primary + 3 replicas, 1 000
// statements/s, 85 % reads) for BENCH_REPLAY_MINUTES simulated minutes (default 10), then
// drag the scrubber to moments spread over it and time each jump until the page shows it.
// Prints the figures and adds them to target/bench.json.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { serveDist, launch, seek } from "../harness.mjs";

const minutes = Number(process.env.BENCH_REPLAY_MINUTES ?? 10);
const script = `cluster replicas=3\nload rate=1000 read_ratio=0.85 duration=${minutes}m\nadvance ${minutes}m\n`;
const link = `#run=v1.${zlib.deflateRawSync(Buffer.from(script)).toString("base64url")}`;

const { server, url } = await serveDist();
const browser = await launch();

// First render: from navigation start to the frame that shows the diagram, measured in the page
// (an observer notes when the diagram enters the document; a timeout set from the next frame's
// callback runs once that frame is painted), in fresh pages on a local server: mostly fetching
// and compiling the wasm, the first render, and the browser's layout and paint. Playwright's
// own round trips are not counted.
const renders = [];
for (let i = 0; i < 5; i++) {
  const fresh = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await fresh.addInitScript(() => {
    window.__diagramPainted = new Promise((painted) => {
      const observer = new MutationObserver(() => {
        if (!document.querySelector('[data-testid="diagram"]')) return;
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => painted(performance.now()), 0));
      });
      observer.observe(document, { childList: true, subtree: true });
    });
  });
  await fresh.goto(url);
  renders.push(await fresh.evaluate(() => window.__diagramPainted));
  await fresh.close();
}
renders.sort((a, b) => a - b);
const firstRenderMs = Math.round(renders[renders.length >> 1]);
console.log(`Browser (headless Chromium): first render, navigation to the diagram on screen: median ${firstRenderMs} ms of 5 fresh loads (target 300 ms)`);

const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
// The wasm module's memory (it only grows: its size at the end is the peak).
await page.addInitScript(() => {
  addEventListener("TrunkApplicationStarted", (e) => { window.__wasmMemory = e.detail.wasm.memory; });
});
const opened = Date.now();
await page.goto(url + link);
await page.waitForFunction((m) => document.querySelector('[data-testid="scrub-time"]')?.innerText.endsWith(`of ${m}m00s`),
  `${minutes}`, { timeout: 60 * 60_000, polling: 1_000 });
const recordS = (Date.now() - opened) / 1000;
const endMs = minutes * 60_000;
const jumps = [];
for (const share of [95, 50, 10, 75, 33, 90, 5, 60, 25, 99]) {
  // 1 ms before a whole second: as far from a snapshot as a second allows.
  const at = Math.round(endMs * share / 100) - 1;
  const took = await page.evaluate(async ({ at }) => {
    const input = document.querySelector('[data-testid="scrubber"]');
    const started = performance.now();
    input.value = String(at);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    // The reducer runs in the input's handler; the new frame shows the moment.
    await new Promise((done) => requestAnimationFrame(() => done()));
    return performance.now() - started;
  }, { at });
  jumps.push(took);
}
jumps.sort((a, b) => a - b);
const memoryMib = await page.evaluate(() => window.__wasmMemory?.buffer.byteLength / 2 ** 20);
const deviceMemory = await page.evaluate(() => navigator.deviceMemory ?? "not given");
const figures = {
  browser_first_render_ms: firstRenderMs,
  browser_replay_minutes: minutes,
  browser_record_wall_s: recordS,
  browser_rewind_median_ms: Math.round(jumps[jumps.length >> 1]),
  browser_rewind_worst_ms: Math.round(jumps[jumps.length - 1]),
  browser_wasm_memory_mib: Math.round(memoryMib),
};
console.log(`Browser (headless Chromium, wasm), the standard load for ${minutes} simulated minutes:`);
console.log(`  ${recordS.toFixed(1).padStart(10)} s to open it as a link (replayed from the seed)`);
console.log(`  rewind to any moment: median ${figures.browser_rewind_median_ms} ms, worst ${figures.browser_rewind_worst_ms} ms (10 jumps)`);
console.log(`  wasm memory at the end: ${figures.browser_wasm_memory_mib} MiB (navigator.deviceMemory: ${deviceMemory} GiB)`);
const out = path.resolve(import.meta.dirname, "../../target/bench.json");
const previous = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")) : {};
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ ...previous, ...figures }, null, 2) + "\n");
await browser.close();
server.close();
