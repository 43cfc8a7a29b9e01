// Browser tests of the web app: Debian's Chromium driven by playwright-core, the site served
// from 127.0.0.1 by a small static server in this script (it also records every request, so the
// tests can check the page fetches nothing but its own files).
//
//   node tests/browser/run.mjs --test smoke|save-load|url-device|offline|lesson|lesson-link|bench
//                              --site build/web/site --out DIR
//
// NODE_PATH must reach playwright-core (scripts/install-deps installs it in .cache/npm).
// Each test prints what it checks and exits non-zero on the first failed check.
import { createRequire } from 'node:module';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const args = { test: '', site: '', out: '' };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in args) || argv[i + 1] === undefined) {
      console.error(`usage: run.mjs --test NAME --site DIR --out DIR (bad argument '${argv[i]}')`);
      process.exit(2);
    }
    args[key] = argv[i + 1];
  }
  for (const k of Object.keys(args))
    if (!args[k]) {
      console.error(`run.mjs: --${k} is required`);
      process.exit(2);
    }
  return args;
}

const args = parseArgs(process.argv);
const CHROMIUM = process.env.NVMELAB_CHROMIUM || '/usr/bin/chromium';
// Headless WebGL2 in software, through ANGLE on Mesa's llvmpipe (EGL): on this project's
// 2-core machines it draws the app's frames about 1.5x faster than Chromium's bundled
// SwiftShader (docs/web.md, "Frame rate"). NVMELAB_CHROMIUM_GL=swiftshader selects SwiftShader.
// No network use of its own.
const GL_FLAGS = process.env.NVMELAB_CHROMIUM_GL === 'swiftshader'
  ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader']
  : ['--use-gl=angle', '--use-angle=gl-egl'];
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', ...GL_FLAGS,
  '--ignore-gpu-blocklist', '--disable-default-apps', '--disable-extensions',
];

class Failure extends Error {}
function check(cond, what, detail) {
  if (!cond) throw new Failure(`FAILED: ${what}${detail === undefined ? '' : ` (${detail})`}`);
  console.log(`ok: ${what}`);
}

// ---- static server ---------------------------------------------------------------------------
const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
};

function startServer(siteDir) {
  const root = path.resolve(siteDir);
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url);
    if (process.env.NVMELAB_TEST_VERBOSE) console.log(`GET ${req.url}`);
    let rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      console.log(`404: ${req.url}`);
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file)] || 'application/octet-stream',
      'Content-Length': body.length, 'Cache-Control': 'no-cache',
    });
    res.end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      resolve({ origin, requests, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) });
    });
  });
}

// ---- browser helpers ---------------------------------------------------------------------------
async function launch() {
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch (e) {
    throw new Failure('FAILED: playwright-core is not installed: run scripts/install-deps (it installs it into .cache/npm)');
  }
  if (!fs.existsSync(CHROMIUM)) throw new Failure(`FAILED: ${CHROMIUM} is missing: run scripts/install-deps (Debian package chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

// A page with its console messages, page errors and foreign requests recorded.
const allLogs = [];
async function openPage(context, server) {
  const page = await context.newPage();
  const log = { messages: [], errors: [], foreign: [] };
  allLogs.push(log);
  page.on('console', (m) => {
    log.messages.push(`${m.type()}: ${m.text()}`);
    if (m.type() === 'error') log.errors.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(server.origin + '/') && !u.startsWith('blob:') && !u.startsWith('data:')) log.foreign.push(u);
  });
  return { page, log };
}

async function gotoReady(page, url, timeout = 30000) {
  await page.goto(url);
  await page.waitForFunction(() => !!window.nvmelab, null, { timeout });
  await page.evaluate(() => window.nvmelab.ready);
  // A few more frames, so what the API did is also drawn.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

const exec = (page, line) => page.evaluate((l) => window.nvmelab.exec(l), line);
const frames = (page, n) => page.evaluate((k) => new Promise((resolve) => {
  const step = () => (k-- > 0 ? requestAnimationFrame(step) : resolve());
  step();
}), n);
// A digest of the canvas's pixels, read back from the app's own WebGL context (the canvas keeps
// its pixels between frames, so this is what is on screen).
const canvasDigest = (page) => page.evaluate(() => {
  const gl = document.getElementById('canvas').getContext('webgl2');
  const w = gl.drawingBufferWidth, h = gl.drawingBufferHeight;
  const px = new Uint8Array(w * h * 4);
  gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, px);
  let hash = 2166136261;
  for (let i = 0; i < px.length; i++) hash = Math.imul(hash ^ px[i], 16777619);
  return `${w}x${h}:${(hash >>> 0).toString(16)}`;
});
const state = (page) => page.evaluate(() => window.nvmelab.state());

async function execOk(page, line) {
  const r = await exec(page, line);
  check(r.ok, `exec '${line}'`, r.error);
  return r;
}

// Saves a screenshot and counts its distinct colours in the page (an all-black or blank
// canvas has one or two).
async function screenshot(page, name) {
  fs.mkdirSync(args.out, { recursive: true });
  const file = path.join(args.out, name);
  const png = await page.screenshot({ path: file });
  const colours = await page.evaluate(async (b64) => {
    const blob = await (await fetch(`data:image/png;base64,${b64}`)).blob();
    const bmp = await createImageBitmap(blob);
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const g = c.getContext('2d');
    g.drawImage(bmp, 0, 0);
    const d = g.getImageData(0, 0, bmp.width, bmp.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  }, png.toString('base64'));
  console.log(`screenshot: ${file} (${colours} distinct colours)`);
  return colours;
}

function checkClean(log, server, what) {
  check(log.errors.length === 0, `${what}: no console errors`, log.errors.join(' | '));
  check(log.foreign.length === 0, `${what}: no requests outside ${server.origin}`, log.foreign.join(' '));
}

// ---- the tests ------------------------------------------------------------------------------
const tests = {
  // Loads, shows the app full-window, brings the controller up through the test API, submits
  // I/O, checks the state it reports, resizes, saves screenshots.
  async smoke(browser, server) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, log } = await openPage(context, server);
    await gotoReady(page, `${server.origin}/`);
    const timing = await page.evaluate(() => window.nvmelab.timing);
    console.log(`time to interactive: ${timing.readyMs.toFixed(0)} ms after the page started`);
    check(await page.evaluate(() => getComputedStyle(document.getElementById('loading')).display === 'none'),
      'the loading indicator is gone once ready');
    const size = await page.evaluate(() => ({ w: canvas.clientWidth, h: canvas.clientHeight, iw: innerWidth, ih: innerHeight }));
    check(size.w === size.iw && size.h === size.ih, 'the canvas fills the window', JSON.stringify(size));

    // A browser without WebAssembly exception handling is told so, and ready() rejects.
    {
      const { page: old } = await openPage(context, server); // its own log: its error is expected
      await old.addInitScript(() => { WebAssembly.validate = () => false; });
      await old.goto(`${server.origin}/`);
      await old.waitForFunction(() => !!window.nvmelab);
      const refused = await old.evaluate(() => window.nvmelab.ready.then(() => 'ready', (e) => e.message));
      check(/WebAssembly exception handling/.test(refused), 'a browser without wasm exceptions is told why', refused);
      const shown = await old.evaluate(() => document.getElementById('loading-text').textContent);
      check(/could not start: this browser does not support WebAssembly exception handling/.test(shown),
        'the loading indicator names the missing feature', shown);
      await old.close();
    }

    let s = await state(page);
    check(s.csts.rdy === 0 && s.cc.en === 0, 'a new device starts with CC.EN = 0 and CSTS.RDY = 0', JSON.stringify(s.csts));
    check(s.namespaces.length === 1 && s.namespaces[0].lba_size === 4096, 'one namespace of 4 KiB blocks', JSON.stringify(s.namespaces));

    await execOk(page, 'enable');
    await execOk(page, 'queue create entries=16');
    const w = await execOk(page, 'write 1 8 1 data=0xA5');
    check(/Success/.test(w.output), 'the write completes with Success', w.output);
    await execOk(page, 'read 1 8 1');
    await execOk(page, 'expect status success');
    // One read left in flight: submitted and rung, not yet run.
    await execOk(page, 'sqe r opc=0x02 nsid=1 cdw10=8');
    await execOk(page, 'mem alloc rbuf 4K');
    await execOk(page, 'prp r $rbuf 4096');
    await execOk(page, 'submit 1 r');
    await execOk(page, 'ring 1');
    await execOk(page, 'step 3');
    const bad = await exec(page, 'reg write CC.MPS 16');
    check(!bad.ok && /out of range/.test(bad.error), 'a bad console line reports its error', bad.error);

    s = await state(page);
    check(s.csts.rdy === 1 && s.cc.en === 1, 'the controller is ready (CSTS.RDY = 1)', JSON.stringify(s.csts));
    check(s.queues.length === 4, 'admin SQ/CQ and one I/O SQ/CQ exist', s.queues.length);
    const sq1 = s.queues.find((q) => q.type === 'sq' && q.qid === 1);
    check(sq1 && sq1.size === 16 && sq1.tail === 3, 'I/O SQ 1 has 16 entries and its tail after 3 commands', JSON.stringify(sq1));
    check(s.inflight.length === 1 && s.inflight[0].opcode === 2, 'the last read is in flight', JSON.stringify(s.inflight));
    check(s.last_completion && s.last_completion.ok, 'the last completion succeeded', JSON.stringify(s.last_completion));
    check(s.namespaces[0].cached_blocks === 2, 'the two written blocks sit in the write cache', s.namespaces[0].cached_blocks);
    check(s.variables.rbuf !== undefined, 'console variables are reported', JSON.stringify(s.variables));
    await execOk(page, 'run');
    s = await state(page);
    check(s.inflight.length === 0 && s.idle, 'after run the controller is idle');
    const rd = await execOk(page, 'expect mem $rbuf bytes a5 a5 a5 a5');
    void rd;

    // The workload window with live traffic, for the screenshot.
    const wl = await page.evaluate(() => window.nvmelab.workload({ queues: 3, entries: 64, depth: 8 }));
    check(wl.ok, 'the workload generator starts', wl.error);
    await page.waitForTimeout(700);
    s = await state(page);
    check(s.workload.running && s.workload.completed > 0 && s.queues.length === 10,
      'the workload runs on 3 new queue pairs and completes commands', JSON.stringify(s.workload));
    const colours = await screenshot(page, 'smoke.png');
    check(colours >= 24, 'the screenshot shows a rendered UI (>= 24 colours)', colours);

    // Frames are redrawn only where they changed; what accumulates on the canvas must be
    // exactly what drawing the whole frame gives.
    await page.evaluate(() => window.nvmelab.workload(null));
    await execOk(page, 'run');
    // The inspector and the Timeline follow the newest completion at most every 0.25 s
    // (ui/model/followed_completion.h), so the last one may still show a moment after the
    // controller went idle: wait past two of those intervals before calling the app idle.
    await page.waitForTimeout(600);
    await frames(page, 10);
    const settled = await canvasDigest(page);
    await frames(page, 10);
    check(await canvasDigest(page) === settled, 'an idle app leaves the canvas as it is');
    const before = await page.evaluate(() => window.nvmelab.redraw()); // the next frame whole
    check(before.partial_redraw, 'the canvas keeps its pixels, so frames are redrawn in part', JSON.stringify(before));
    check(before.frames_drawn_in_part > 0, 'frames were drawn in part while the workload ran', JSON.stringify(before));
    await frames(page, 3);
    const after = await page.evaluate(() => window.nvmelab.redraw());
    check(after.frames_drawn > before.frames_drawn, 'the whole frame was drawn again', JSON.stringify(after));
    await frames(page, 3);
    const whole = await canvasDigest(page);
    check(whole === settled, 'frames drawn in part add up to the whole frame, pixel for pixel', `${settled} vs ${whole}`);

    await page.setViewportSize({ width: 900, height: 640 });
    await page.waitForTimeout(300);
    const resized = await page.evaluate(() => ({ w: canvas.width / devicePixelRatio, h: canvas.height / devicePixelRatio }));
    check(resized.w === 900 && resized.h === 640, 'the canvas follows a window resize', JSON.stringify(resized));
    await screenshot(page, 'smoke-resized.png');
    checkClean(log, server, 'smoke');
    await context.close();
  },

  // save() / load() restore exactly; download and upload through the page; browser storage
  // restores the state on reload; a bad file is refused with a clear error.
  async 'save-load'(browser, server) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const { page, log } = await openPage(context, server);
    await gotoReady(page, `${server.origin}/`);
    await execOk(page, 'enable');
    await execOk(page, 'queue create entries=32');
    await execOk(page, 'write 1 100 3 data=str:"saved state"');
    await execOk(page, 'mem alloc keep 8K');
    await execOk(page, 'mem write $keep str:"host memory too"');
    const wl = await page.evaluate(() => window.nvmelab.workload({ queues: 2, entries: 64, depth: 8, seed: 7 }));
    check(wl.ok, 'the workload generator starts', wl.error);
    await page.waitForTimeout(500);
    await page.evaluate(() => window.nvmelab.workload(null));
    await page.waitForTimeout(200);
    await execOk(page, 'sqe w opc=0x01 nsid=1 cdw10=200');
    await execOk(page, 'prp w $keep 4096');
    await execOk(page, 'submit 1 w');
    await execOk(page, 'ring 1');
    await execOk(page, 'step 2'); // a write left in flight
    const before = await state(page);
    check(before.inflight.length === 1 && before.workload.completed > 0, 'a command is in flight and the workload completed commands',
      `${before.inflight.length} ${before.workload.completed}`);
    const saved = await page.evaluate(() => window.nvmelab.save());

    // The download is the same document.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.evaluate(() => window.nvmelabUi.downloadState())]);
    const dlPath = path.join(args.out, 'nvmelab-state.json');
    fs.mkdirSync(args.out, { recursive: true });
    await dl.saveAs(dlPath);
    const downloaded = fs.readFileSync(dlPath, 'utf8');
    check(JSON.parse(downloaded).journal.length === JSON.parse(saved).journal.length, 'State > Download state saves the state file');

    // A new device, then load.
    await gotoReady(page, `${server.origin}/?fresh=1`);
    let s = await state(page);
    check(s.csts.rdy === 0 && s.queues.length === 0, '?fresh=1 starts with a new device');
    const r = await page.evaluate((t) => window.nvmelab.load(t), saved);
    check(r.ok, 'load() accepts the saved state', r.error);
    s = await state(page);
    check(JSON.stringify(s) === JSON.stringify(before), 'the loaded state equals the saved one (registers, queues, memory digest, workload)',
      JSON.stringify(s).slice(0, 300));
    await execOk(page, 'run');
    const back = await execOk(page, 'read 1 100 0');
    check(/saved state/.test(back.output), 'the media holds what was written before the save', back.output.slice(0, 200));
    await execOk(page, 'expect mem $keep bytes str:"host memory too"');

    // Upload through the file picker the State menu opens.
    await gotoReady(page, `${server.origin}/?fresh=1`);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.evaluate(() => window.nvmelabUi.uploadState())]);
    await chooser.setFiles(dlPath);
    await page.waitForFunction(() => window.nvmelab.state().csts.rdy === 1, null, { timeout: 10000 });
    s = await state(page);
    check(JSON.stringify(s) === JSON.stringify(before), 'State > Upload state restores the downloaded file');

    // Browser storage: a reload without arguments restores the last state.
    await page.waitForTimeout(1500); // autosave runs once a second
    await gotoReady(page, `${server.origin}/`);
    s = await state(page);
    check(JSON.stringify(s) === JSON.stringify(before), 'a reload restores the state kept in browser storage');

    // Bad input: a clear error, the state untouched.
    const bad = await page.evaluate(() => window.nvmelab.load('{"format":"something else"}'));
    check(!bad.ok && /format/.test(bad.error), 'a foreign document is refused naming the problem', bad.error);
    const broken = JSON.parse(saved);
    broken.journal.splice(3, 0, { exec: 'write 1 0 0 data=0x11' }); // an extra step: replay differs
    const diff = await page.evaluate((t) => window.nvmelab.load(t), JSON.stringify(broken));
    check(!diff.ok && /differs/.test(diff.error), 'a state whose replay differs is refused', diff.error);
    const notJson = await page.evaluate(() => window.nvmelab.load('not json'));
    check(!notJson.ok && /JSON/.test(notJson.error), 'text that is not JSON is refused', notJson.error);
    s = await state(page);
    check(JSON.stringify(s) === JSON.stringify(before), 'after failed loads the state is unchanged');
    await screenshot(page, 'save-load.png');

    // State files are untrusted input, bounded (docs/web.md, "Save and load"). A 2 MB file
    // used to kill the module ("memory access out of bounds": ccall copied the text onto the
    // WebAssembly stack); the issue's 200,000-entry file is past kMaxStateBytes.
    const big = await page.evaluate((t) => {
      const doc = JSON.parse(t);
      for (let i = 0; i < 60000; ++i) doc.journal.push({ exec: 'echo x', remember: true });
      const text = JSON.stringify(doc);
      return { r: window.nvmelab.load(text), bytes: text.length };
    }, saved);
    check(big.r.ok && big.bytes > 2000000, `a ${big.bytes}-byte state file (60,000 more lines) loads`, big.r.error);
    check(JSON.stringify(await state(page)) === JSON.stringify(before), 'and gives the state it describes');
    const huge = await page.evaluate(() => {
      const doc = { format: 'nvmelab-state', version: 1, config: {}, journal: [], state: {} };
      for (let i = 0; i < 200000; ++i) doc.journal.push({ exec: 'echo x', remember: true });
      return window.nvmelab.load(JSON.stringify(doc));
    });
    check(!huge.ok && /more than the 4194304 bytes \(4\.0 MiB\) a state file may hold/.test(huge.error),
      'the 200,000-entry state file is refused naming the size bound', huge.error);
    const longLine = await exec(page, 'echo ' + 'x'.repeat(3000000));
    check(!longLine.ok && /a console line of 3000005 bytes, more than the 4096/.test(longLine.error),
      'a 3 MB console line is refused naming the line bound', longLine.error.slice(0, 200));
    const tooBig = await page.evaluate(() => window.nvmelab.load('x'.repeat(20 * 1048576)));
    check(!tooBig.ok && /more than the 16777216 \(16 MiB\) window.nvmelab takes/.test(tooBig.error),
      'a 20 MB argument is refused before it reaches the module', tooBig.error);
    s = await state(page);
    check(JSON.stringify(s) === JSON.stringify(before), 'after the refused files the app runs with its state unchanged');
    await execOk(page, 'run');

    // A bad state in browser storage: the app starts with a new device and says why.
    await page.evaluate(() => {
      const doc = { format: 'nvmelab-state', version: 1, config: {}, journal: [{ exec: 'enable' }], state: {} };
      for (let i = 0; i < 100000; ++i) doc.journal.push({ steps: 1 });
      Module.ccall('nvmelab_set_autosave', null, ['number'], [0]);
      localStorage.setItem('nvmelab.state', JSON.stringify(doc));
    });
    const before2 = log.errors.length;
    await gotoReady(page, `${server.origin}/`);
    s = await state(page);
    const startErrors = log.errors.slice(before2).join(' | ');
    check(s.csts.rdy === 0 && s.queues.length === 0 &&
          /could not be restored, so this is a new device: the journal has 100001 entries, more than the 100000/.test(startErrors),
      'a stored state past a bound: the app starts with a new device and names the bound', startErrors);
    // A stored state whose start did not finish (the app stopped while restoring it) is not
    // tried again.
    await page.evaluate((t) => {
      Module.ccall('nvmelab_set_autosave', null, ['number'], [0]);
      localStorage.setItem('nvmelab.state', t);
      localStorage.setItem('nvmelab.restoring', '1');
    }, saved);
    const before3 = log.errors.length;
    await gotoReady(page, `${server.origin}/`);
    s = await state(page);
    const skipErrors = log.errors.slice(before3).join(' | ');
    check(s.csts.rdy === 0 && /not restored, so this is a new device: the page's last start with it did not finish/.test(skipErrors),
      'a stored state that stopped the last start is not restored again', skipErrors);
    check(await page.evaluate(() => localStorage.getItem('nvmelab.restoring')) === null, 'the restore marker is cleared once the app is ready');

    // load() errors are reported on the JS console on purpose; nothing else may be.
    const unexpected = log.errors.filter((e) => !/format|differs|JSON|state file may hold|console line|window.nvmelab takes|so this is a new device/.test(e));
    check(unexpected.length === 0, 'save-load: no unexpected console errors', unexpected.join(' | '));
    check(log.foreign.length === 0, 'save-load: no requests outside the site', log.foreign.join(' '));
    await context.close();
  },

  // URL arguments choose the device and the initial state; a shared link rebuilds it; bad
  // arguments are reported by name.
  async 'url-device'(browser, server) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, log } = await openPage(context, server);
    await gotoReady(page, `${server.origin}/?mdts=3&lbads=9&size=64M&exec=enable&exec=queue+create+entries%3D16`);
    let s = await state(page);
    check(s.namespaces[0].lba_size === 512 && s.namespaces[0].blocks === 131072,
      'lbads=9 size=64M: 131072 blocks of 512 bytes', JSON.stringify(s.namespaces[0]));
    check(s.csts.rdy === 1 && s.queues.length === 4, 'exec= lines ran: controller ready, one I/O queue pair');
    const id = await execOk(page, 'identify ctrl');
    check(/mdts\s*[:=]?\s*3\b/.test(id.output), 'Identify reports MDTS 3', id.output.split('\n').find((l) => /mdts/.test(l)));
    // 2^3 * 4 KiB = 32 KiB is the limit: 128 blocks of 512 bytes (64 KiB) are refused.
    const big = await execOk(page, 'read 1 0 127');
    check(/Invalid Field/.test(big.output), 'a 64 KiB read breaks MDTS 3 (Invalid Field in Command)', big.output.split('\n')[0]);
    await screenshot(page, 'url-device.png');
    const link = await page.evaluate(() => window.nvmelab.shareLink());
    check(/mdts=3/.test(link) && /lbads=9/.test(link) && /exec=enable/.test(link), 'the share link carries the device and the console lines', link);
    checkClean(log, server, 'url-device');

    // The link in a new browser rebuilds the same device.
    const other = await browser.newContext();
    const second = await openPage(other, server);
    await gotoReady(second.page, link);
    const t = await state(second.page);
    check(t.namespaces[0].lba_size === 512 && t.csts.rdy === 1 && t.queues.length === 4, 'the shared link opens the same device',
      JSON.stringify(t.namespaces[0]));
    await other.close();

    // Bad arguments: named in an error; the rest of the URL still applies.
    const third = await openPage(context, server);
    await gotoReady(third.page, `${server.origin}/?fresh=1&bogus=1&mdts=abc&lbads=9`);
    const msgs = third.log.errors.join('\n');
    check(/unknown URL argument 'bogus'/.test(msgs), 'an unknown argument is named', msgs);
    check(/mdts/.test(msgs), 'a bad device property is named', msgs);
    s = await state(third.page);
    check(s.namespaces[0].lba_size === 512, 'the valid arguments still apply', s.namespaces[0].lba_size);
    await context.close();
  },

  // Once loaded, the page works with the server gone (service worker).
  async offline(browser, server) {
    const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
    const { page, log } = await openPage(context, server);
    await gotoReady(page, `${server.origin}/`);
    const sw = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return !!reg.active;
    });
    check(sw, 'the service worker is active');
    await page.waitForTimeout(500);
    await server.close();
    console.log('the server is stopped');
    await gotoReady(page, `${server.origin}/?mdts=4`);
    await execOk(page, 'enable');
    const s = await state(page);
    check(s.csts.rdy === 1, 'offline, the page loads and the controller comes up');
    await screenshot(page, 'offline.png');
    check(log.foreign.length === 0, 'offline: no requests outside the site', log.foreign.join(' '));
    await context.close();
  },

  // ?bench=1: 64 I/O queue pairs x 1024 entries under the workload generator.
  // The course index is the landing view; lesson 1 played through the test API as the
  // lesson window's buttons do, the learner's your-turn typed through exec(); progress is kept
  // in localStorage and shown again after a reload.
  async lesson(browser, server) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, log } = await openPage(context, server);
    await gotoReady(page, `${server.origin}/?fresh=1`);
    let ls = await page.evaluate(() => window.nvmelab.lessonState());
    check(!ls.open && ls.course.length >= 6, 'the landing view is the course index with the lessons', JSON.stringify(ls.course.map((c) => c.id)));
    check(ls.course[0].id === 'bring-up' && ls.course[0].steps_done === 0 && !ls.course[0].completed,
      'lesson 1 is listed, not started', JSON.stringify(ls.course[0]));
    await screenshot(page, 'course-index.png');

    ls = await page.evaluate(() => window.nvmelab.lesson('bring-up', 1));
    check(ls.ok && ls.open && ls.step === 1 && ls.steps === 7, 'lesson 1 opens at step 1', JSON.stringify(ls));
    check(ls.highlights.some((h) => h.window === 'registers' && h.fields.includes('CAP.MQES')),
      'step 1 highlights CAP.MQES in the registers window', JSON.stringify(ls.highlights));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await screenshot(page, 'lesson-step1.png');
    for (let n = 2; n <= ls.steps; ++n) {
      ls = await page.evaluate(() => window.nvmelab.lessonNext());
      check(ls.ok && ls.step === n, `Next: step ${n} (${ls.title}) ran`, ls.error);
    }
    let s = await state(page);
    check(s.cc.en === 0 && s.csts.rdy === 0, 'the last step reset the controller, on the device the windows show', JSON.stringify(s.cc));
    check(ls.your_turn && !ls.done && ls.at_end, 'the last step waits for the learner', JSON.stringify(ls));
    const refused = await page.evaluate(() => window.nvmelab.lessonNext());
    check(!refused.ok && refused.step === ls.steps, 'Next is refused at the last step', refused.error);
    await page.evaluate(() => window.nvmelab.lessonHint());
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await screenshot(page, 'lesson-yourturn.png');
    // The learner's turn, as typed in the console.
    await execOk(page, 'reg write AQA 0x00030003');
    ls = await page.evaluate(() => window.nvmelab.lessonState());
    check(!ls.done, 'half the task is not done', JSON.stringify(ls.failures));
    await execOk(page, 'reg write CC 0x00460001');
    await execOk(page, 'run');
    ls = await page.evaluate(() => window.nvmelab.lessonState());
    check(ls.done, 'the your-turn is done, judged by the device state', JSON.stringify(ls.failures));
    s = await state(page);
    check(s.csts.rdy === 1, 'CSTS.RDY = 1 after the learner brought the controller up');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await screenshot(page, 'lesson-done.png');
    const stored = await page.evaluate(() => window.nvmelab.lessonProgress());
    check(stored && stored.lessons['bring-up'] && stored.lessons['bring-up'].completed === true,
      'the completed lesson is stored in localStorage', JSON.stringify(stored));

    // Back: the exact state of step 6 (the controller ready after `run`).
    ls = await page.evaluate(() => window.nvmelab.lessonBack());
    s = await state(page);
    check(ls.step === 6 && s.csts.rdy === 1 && s.cc.en === 1, 'Back gives the state of step 6', JSON.stringify(s.csts));

    // A reload shows the progress in the course index.
    await page.evaluate(() => window.nvmelab.lessonClose());
    await gotoReady(page, `${server.origin}/?fresh=1`);
    ls = await page.evaluate(() => window.nvmelab.lessonState());
    check(!ls.open && ls.course[0].completed, 'after a reload the course index shows lesson 1 completed', JSON.stringify(ls.course[0]));
    await screenshot(page, 'course-index-after.png');
    const bad = await page.evaluate(() => window.nvmelab.lesson('no-such-lesson', 1));
    check(!bad.ok && /no lesson 'no-such-lesson'/.test(bad.error), 'an unknown lesson id is a clear error', bad.error);
    checkClean(log, server, 'lesson');
    await context.close();
  },

  // ?lesson=ID&step=N opens the lesson at that step with its state; a bad one is an error.
  async 'lesson-link'(browser, server) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, log } = await openPage(context, server);
    await gotoReady(page, `${server.origin}/?lesson=bring-up&step=6`);
    let ls = await page.evaluate(() => window.nvmelab.lessonState());
    check(ls.open && ls.id === 'bring-up' && ls.step === 6, 'the link opens lesson 1 at step 6', JSON.stringify(ls));
    const s = await state(page);
    check(s.csts.rdy === 1 && s.cc.en === 1, 'with the state of step 6: the controller is ready', JSON.stringify(s.csts));
    await screenshot(page, 'lesson-link.png');
    await gotoReady(page, `${server.origin}/?lesson=bring-up&step=99`);
    ls = await page.evaluate(() => window.nvmelab.lessonState());
    check(!ls.open && /no step 99/.test(ls.error), 'a step past the end is an error in the lesson window', ls.error);
    await screenshot(page, 'lesson-link-bad.png');
    await gotoReady(page, `${server.origin}/?lesson=bring-up&step=zero`);
    ls = await page.evaluate(() => window.nvmelab.lessonState());
    check(ls.open && ls.step === 1, 'a malformed step opens the lesson at step 1', JSON.stringify(ls.step));
    // Console errors are expected here: the bad URL arguments are reported.
    check(log.foreign.length === 0, 'lesson-link: no requests outside the site', log.foreign.join(' '));
    await context.close();
  },

  // Issue 21: every step of every lesson at 1280x800: each highlighted item (register field,
  // queue, window) lies inside its window's visible area, and no lesson code line is wider than
  // its panel unless it wraps. Then line-by-line play shows the in-between state of lesson 1
  // step 3, and a wrong answer is told in the learner's words.
  async 'lesson-layout'(browser, server) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, log } = await openPage(context, server);
    await gotoReady(page, `${server.origin}/?fresh=1`);
    const course = (await page.evaluate(() => window.nvmelab.lessonState())).course;
    check(course.length >= 6, 'the course lists its lessons', course.length);
    let steps = 0, items = 0, lines = 0;
    for (const l of course) {
      for (let step = 1; step <= l.steps; step++) {
        const ls = await page.evaluate(([id, n]) => window.nvmelab.lesson(id, n), [l.id, step]);
        check(ls.ok && ls.step === step, `${l.id} step ${step} opens`, ls.error);
        // The highlight scroll takes effect a frame after it is asked for; a relayout one more.
        await frames(page, 5);
        const lay = await page.evaluate(() => window.nvmelab.lessonLayout());
        const where = `${l.id} step ${step} ('${ls.title}')`;
        for (const h of ls.highlights) {
          const names = h.window === 'registers' || h.window === 'queues' ? h.fields : [];
          const expected = names.length ? names : [''];
          for (const name of expected) {
            const seen = lay.items.filter((i) => i.window === h.window && i.name.toUpperCase() === name.toUpperCase());
            // A queue the step names exists by then only if the step made it; registers always do.
            if (h.window === 'queues' && name && seen.length === 0) {
              const st = await state(page);
              const qid = Number(name.slice(2));
              const exists = st.queues.some((q) => q.type === name.slice(0, 2).toLowerCase() && q.qid === qid);
              check(!exists, `${where}: highlighted ${name} is drawn in Queues`);
              continue;
            }
            check(seen.length > 0, `${where}: highlighted ${h.window} ${name || '(window)'} is drawn`, JSON.stringify(lay.items.map((i) => i.window + ':' + i.name)));
            for (const i of seen) {
              check(i.inside, `${where}: highlighted ${h.window} ${name || '(window)'} lies inside its window's visible area`,
                `item ${JSON.stringify(i.rect)} visible ${JSON.stringify(i.visible)}`);
              items++;
            }
          }
        }
        for (const c of lay.code_lines) {
          check(c.fits, `${where}: code line fits its panel or wraps`, `${JSON.stringify(c)}`);
          lines++;
        }
        steps++;
      }
    }
    console.log(`lesson-layout: ${steps} steps, ${items} highlighted items in view, ${lines} code lines fit`);
    await screenshot(page, 'last-step.png');

    // Line by line: lesson 1 step 3 shows CSTS.CFS = 1 between its lines.
    let ls = await page.evaluate(() => window.nvmelab.lesson('bring-up', 3));
    ls = await page.evaluate(() => window.nvmelab.lessonPlay());
    check(ls.ok && ls.pending_lines >= 4, 'play: the step\'s lines wait', JSON.stringify(ls));
    ls = await page.evaluate(() => window.nvmelab.lessonLine());
    ls = await page.evaluate(() => window.nvmelab.lessonLine());
    check((await state(page)).csts.cfs === 1, 'after the marked line, CSTS.CFS = 1 shows', JSON.stringify((await state(page)).csts));
    check(/CSTS\.CFS/.test(ls.pause_note), 'the pause mark says what to look at', ls.pause_note);
    await frames(page, 3);
    await screenshot(page, 'paused.png');
    ls = await page.evaluate(() => window.nvmelab.lessonRest());
    check(ls.pending_lines === 0 && (await state(page)).csts.cfs === 0, 'run step: the rest runs, CFS is cleared');

    // A wrong answer in the learner's words, and the dead end's nudge.
    ls = await page.evaluate(() => window.nvmelab.lesson('bring-up', 7));
    await execOk(page, 'reg write AQA 0'); // one-entry queues: the controller refuses them
    await execOk(page, 'reg write CC.EN 1');
    await execOk(page, 'run for 1000');
    ls = await page.evaluate(() => window.nvmelab.lessonState());
    check(ls.your_turn && !ls.done && ls.plain.length > 0 && !/\.md:\d+/.test(ls.plain[0]),
      'the failing check is in plain words', JSON.stringify(ls.plain));
    check(/CSTS\.CFS = 1/.test(ls.nudge) && /CC\.EN/.test(ls.nudge), 'the CFS dead end gets its nudge', ls.nudge);
    check(ls.hints >= 3, 'the last step has graduated hints', ls.hints);
    await frames(page, 3);
    await screenshot(page, 'feedback.png');
    checkClean(log, server, 'lesson-layout');
    await context.close();
  },

  async bench(browser, server) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, log } = await openPage(context, server);
    const wasm = fs.statSync(path.join(args.site, 'nvmelab.wasm')).size;
    console.log(`nvmelab.wasm: ${wasm} bytes (${(wasm / 1048576).toFixed(2)} MiB)`);
    check(wasm <= 4 * 1048576, 'the .wasm is at most 4 MiB', wasm);
    await gotoReady(page, `${server.origin}/?bench=1`);
    const tti = await page.evaluate(() => window.nvmelab.timing.readyMs);
    console.log(`time to interactive: ${tti.toFixed(0)} ms`);
    await page.evaluate(() => { document.getElementById('canvas').focus(); });
    const r = await page.evaluate(() => window.nvmelab.bench);
    console.log(`bench: ${JSON.stringify(r)}`);
    const s = await state(page);
    check(s.queues.filter((q) => q.type === 'sq' && q.qid > 0 && q.size === 1024).length === 64, '64 I/O SQs of 1024 entries');
    check(r.outstanding > 1000, 'thousands of commands outstanding', r.outstanding);
    await screenshot(page, 'bench.png');
    fs.writeFileSync(path.join(args.out, 'bench.json'), JSON.stringify({ ...r, wasm_bytes: wasm, tti_ms: tti }, null, 1));
    check(r.fps >= 59, 'the app holds 60 frames/s', r.fps.toFixed(1));
    check(tti <= 2000, 'the page is interactive within 2 s', tti.toFixed(0));
    checkClean(log, server, 'bench');
    await context.close();
  },
};

async function main() {
  const test = tests[args.test];
  if (!test) {
    console.error(`run.mjs: unknown test '${args.test}' (known: ${Object.keys(tests).join(', ')})`);
    process.exit(2);
  }
  if (!fs.existsSync(path.join(args.site, 'index.html'))) {
    console.error(`FAILED: no site in ${args.site} (build the nvmelab-site target)`);
    process.exit(1);
  }
  fs.mkdirSync(args.out, { recursive: true });
  const server = await startServer(args.site);
  let browser;
  let code = 0;
  try {
    browser = await launch();
    await test(browser, server);
    console.log(`browser.${args.test}: passed`);
  } catch (e) {
    console.error(e instanceof Failure ? e.message : `FAILED: ${e.stack || e}`);
    const tail = allLogs.flatMap((l) => l.messages).slice(-40);
    if (tail.length) console.error(`last page console messages:\n  ${tail.join('\n  ')}`);
    code = 1;
  } finally {
    if (browser) await browser.close();
    await server.close().catch(() => {});
  }
  process.exit(code);
}

main();
