// The bundle a course page loads: dist/'s wasm + js + css, each gzip -9. Prints the sizes;
// `--check` fails (exit 1) above bundle-budget.json's max_gzip_bytes; `--json` adds the figure
// to target/bench.json.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const root = path.resolve(import.meta.dirname, "../..");
const dist = path.join(root, "dist");
const budget = JSON.parse(fs.readFileSync(path.join(root, "bundle-budget.json"), "utf8"));
const sizes = {};
// Every file, wasm-bindgen's snippets/ (small JavaScript modules the wasm imports) included.
for (const file of fs.readdirSync(dist, { recursive: true })) {
  const kind = path.extname(file).slice(1);
  if (!["wasm", "js", "css"].includes(kind)) continue;
  const gzipped = zlib.gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length;
  sizes[kind] = (sizes[kind] ?? 0) + gzipped;
}
const total = Object.values(sizes).reduce((a, b) => a + b, 0);
console.log(`bundle (gzip -9): wasm ${sizes.wasm} + js ${sizes.js} + css ${sizes.css} = ${total} bytes` +
  ` (budget ${budget.max_gzip_bytes}, target ${budget.target_gzip_bytes})`);
if (process.argv.includes("--json")) {
  const out = path.join(root, "target", "bench.json");
  const previous = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")) : {};
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ ...previous, bundle_gzip_bytes: total }, null, 2) + "\n");
}
if (process.argv.includes("--check") && total > budget.max_gzip_bytes) {
  console.error(`the bundle is ${total} bytes gzip, over its budget of ${budget.max_gzip_bytes} (bundle-budget.json)`);
  process.exit(1);
}
