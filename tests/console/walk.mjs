// walk.mjs — the staff console in a real browser: Debian's chromium, headless,
// driven by puppeteer-core (no browser is ever downloaded). One request goes
// through the seven SOP steps through the UI only, each demo account signing
// in in turn in a fresh browser context: the PD drafts it, attaches the letter
// and the business-process document and submits; the secretariat registers;
// the Kepala Dinas disposes; the Kabid derives; the Kasi records an
// incomplete initial discussion, the PD answers it, the Kasi records the
// initial, follow-up and final discussions, drafts and sends the Berita Acara;
// the Kepala PD and the Kepala Dinas sign it and the Kepala Dinas issues a
// Surat Tugas. The result is then checked through the API.
//
// On the way: screenshots of the main screens at a desktop and a phone
// viewport into OUT/screenshots, axe-core on each screen (no serious or
// critical violation), and the run fails on any console error, page error,
// failed request or HTTP error answer in the page. The secretariat's
// registration and the Kepala Dinas's disposition are done with the
// keyboard alone (Tab, typing, Enter), and the
// dashboard is read for a second period. Every wait is for a
// selector or a response, bounded; there is no fixed sleep.
//
// Usage: node walk.mjs ALURD_BINARY OUT_DIR
// Needs ALURD_TEST_ADMIN_URL and ALURD_TEST_TEMPLATE (deploy/test.sh sets them).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const [BIN, OUT] = process.argv.slice(2);
const CHROMIUM = process.env.ALURD_CHROMIUM || '/usr/bin/chromium';
const WAIT = 20000; // ms, the bound of every single wait
// DOM conditions are checked on every change of the DOM, not on animation
// frames (a page that is not in front gets none)
const DOM_WAIT = { timeout: WAIT, polling: 'mutation' };
const SECRET = 'alurd-console-browser-test-hs256-secret-0123456789';
if (!BIN || !OUT) throw new Error('usage: node walk.mjs ALURD_BINARY OUT_DIR');
const shots = join(OUT, 'screenshots');
mkdirSync(shots, { recursive: true });

const problems = [];
const fail = (msg) => { problems.push(msg); console.error(`PROBLEM: ${msg}`); };
const step = (msg) => console.log(`-- ${msg}`);

// ---- database and daemon ---------------------------------------------------
const admin = process.env.ALURD_TEST_ADMIN_URL, template = process.env.ALURD_TEST_TEMPLATE;
if (!admin || !template) throw new Error('ALURD_TEST_ADMIN_URL and ALURD_TEST_TEMPLATE must be set (deploy/test.sh)');
const dbName = `alurd_t_console_browser_${process.pid}`;
const dbUrl = admin.replace(/\/[^/]*$/, `/${dbName}`);
function psql(sql) {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', admin, '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
}
psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
psql(`CREATE DATABASE ${dbName} TEMPLATE ${template}`);

const env = { PATH: process.env.PATH, ALURD_DATABASE_URL: dbUrl, ALURD_JWT_SECRET: SECRET, ALURD_LISTEN: '127.0.0.1:0',
  ALURD_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), // webhook secrets sealed at rest (a test key)
  ALURD_LOG_LEVEL: 'info', ALURD_THREADS: '4', ALURD_TIMER_INTERVAL: '1' };
const seed = spawnSync(BIN, ['seed-demo'], { env, encoding: 'utf8' });
if (seed.status !== 0) throw new Error(`seed-demo: ${seed.stdout}${seed.stderr}`);
const passwords = {};
for (const line of seed.stdout.split('\n')) {
  const m = line.match(/^(\S+)\s+(\S+)\s+(\S+)$/);
  if (m && m[1] !== 'username') passwords[m[1]] = m[3];
}

const logPath = join(OUT, 'console-browser-daemon.log');
const log = createWriteStream(logPath);
const daemon = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
daemon.stderr.pipe(log);
// the port, from the "listening" log line (bounded; the exit of the daemon ends the wait too)
const port = await new Promise((resolve, reject) => {
  let text = '';
  const timer = setTimeout(() => reject(new Error('the daemon never logged "listening"')), WAIT);
  daemon.stderr.on('data', (chunk) => {
    text += chunk;
    for (const line of text.split('\n')) {
      if (!line.includes('"listening"')) continue;
      const m = line.match(/"port":(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    }
  });
  daemon.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the daemon exited (${code}); see ${logPath}`)); });
});
const BASE = `http://127.0.0.1:${port}`;
step(`daemon on ${BASE}`);

async function apiAs(user) {
  const r = await fetch(`${BASE}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: passwords[user] }) });
  const { access_token: token } = await r.json();
  return async (path) => {
    const res = await fetch(`${BASE}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return res.json();
  };
}

// ---- the browser -------------------------------------------------------------
// As root (CI containers), chromium refuses to start without --no-sandbox.
const args = ['--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'];
if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args, protocolTimeout: 60000 });
const DESKTOP = { width: 1280, height: 900 };
// width only: isMobile or hasTouch would make puppeteer reload the page
const PHONE = { width: 390, height: 844 };
const axeChecked = new Set();

// A fresh browser context's page at the sign-in form, every problem in it
// recorded; firstScreenMs: navigation to the form.
async function signInPage(user) {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  page.setDefaultTimeout(WAIT);
  await page.setViewport(DESKTOP);
  page.on('console', (m) => { if (m.type() === 'error') fail(`[${user}] console error: ${m.text()}`); });
  page.on('pageerror', (e) => fail(`[${user}] page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // the queue's long-poll is cancelled on purpose when its screen is left
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && r.url().includes('/api/v1/events?wait=')) return;
    fail(`[${user}] request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) fail(`[${user}] HTTP ${r.status()} for ${r.request().method()} ${r.url()}`); });
  const t0 = Date.now();
  await page.goto(`${BASE}/`, { waitUntil: 'load' });
  await page.waitForSelector('form.signin input[name=username]');
  return { page, ctx, firstScreenMs: Date.now() - t0 };
}

async function session(user) {
  const { page, ctx, firstScreenMs } = await signInPage(user);
  await page.type('input[name=username]', user);
  await page.type('input[name=password]', passwords[user]);
  await Promise.all([page.waitForSelector('.me'), page.click('form.signin button[type=submit]')]);
  return { page, ctx, firstScreenMs };
}

// Keyboard only: presses Tab until the focused element matches selector
// (at most max presses: the focus order must reach it), then returns.
async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  throw new Error(`keyboard only: ${max} Tab presses never reached ${selector}`);
}

// A session signed in with the keyboard alone (Tab, typing, Enter).
async function keyboardSession(user) {
  const { page, ctx } = await signInPage(user);
  await tabTo(page, 'input[name=username]');
  await page.keyboard.type(user);
  await tabTo(page, 'input[name=password]');
  await page.keyboard.type(passwords[user]);
  await Promise.all([page.waitForSelector('.me'), page.keyboard.press('Enter')]);
  return { page, ctx };
}

async function axe(page, name) {
  if (axeChecked.has(name)) return;
  axeChecked.add(name);
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  for (const v of res.violations)
    if (v.impact === 'serious' || v.impact === 'critical')
      fail(`axe on ${name}: ${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`);
}

async function shoot(page, name) {
  await axe(page, name);
  await page.screenshot({ path: join(shots, `${name}-desktop.png`) });
  // half-size copies small enough for the README (docs/screenshots/)
  await page.screenshot({ path: join(shots, `${name}-desktop-small.png`), clip: { x: 0, y: 0, width: 1280, height: 800, scale: 0.5 } });
  await page.setViewport(PHONE);
  await page.screenshot({ path: join(shots, `${name}-phone.png`), fullPage: true });
  await page.screenshot({ path: join(shots, `${name}-phone-small.png`), clip: { x: 0, y: 0, width: 390, height: 760, scale: 0.6 } });
  await axe(page, `${name}@phone`);
  await page.setViewport(DESKTOP);
}

async function openRequest(page, id) {
  await page.evaluate((p) => { history.pushState(null, '', p); dispatchEvent(new PopStateEvent('popstate')); }, `/permohonan/${id}`);
  await page.waitForSelector('#status');
}

// Clicks an action the request offers, fills its form with fill(form), submits
// and waits for the answer and the redrawn status.
async function act(page, action, fill, expectStatus, waitSel) {
  const button = await page.waitForSelector(`button.action[data-action="${action}"]`);
  await button.evaluate((b) => b.click());
  const form = await page.waitForSelector(`form.action-form[data-action="${action}"]`);
  const version = await page.$eval('#status', (e) => e.dataset.version);
  if (fill) await fill(form);
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/api/v1/'));
  await form.$eval('button[type=submit]', (b) => b.click());
  const res = await answered;
  if (res.status() >= 300) throw new Error(`${action}: HTTP ${res.status()} ${await res.text()}`);
  // the redrawn request: a new version in the expected state
  await page.waitForSelector(waitSel || `#status[data-status="${expectStatus}"]:not([data-version="${version}"])`);
  step(`${action} -> ${expectStatus}`);
}

async function click(page, selector, urlPart, status) {
  const button = await page.waitForSelector(selector);
  const answered = page.waitForResponse((r) => r.request().method() !== 'GET' && r.url().includes(urlPart));
  await button.evaluate((b) => b.click());
  const res = await answered;
  if (res.status() >= 300) throw new Error(`${selector}: HTTP ${res.status()} ${await res.text()}`);
  if (status) await page.waitForSelector(status);
}

// Resolves with the request once it has finished loading (its response
// complete), bounded by WAIT.
function finished(page, pred) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { page.off('requestfinished', on); reject(new Error('no such request finished')); }, WAIT);
    function on(r) { if (pred(r)) { clearTimeout(timer); page.off('requestfinished', on); resolve(r); } }
    page.on('requestfinished', on);
  });
}

async function signOut(s) {
  const done = finished(s.page, (r) => r.url().endsWith('/api/v1/auth/logout'));
  await s.page.click('#signout');
  if ((await done).response().status() !== 204) fail('sign-out did not answer 204');
  await s.page.waitForSelector('form.signin');
  await s.ctx.close();
}

// Opens the edit form of the row of the admin table holding text.
async function editRow(page, tab, textInRow) {
  await page.waitForFunction((sel, x) => [...document.querySelectorAll(sel)].some((tr) => tr.textContent.includes(x)),
    DOM_WAIT, `#admin-${tab} table tbody tr`, textInRow);
  await page.$$eval(`#admin-${tab} table tbody tr`, (rows, x) => rows.find((tr) => tr.textContent.includes(x)).querySelector('button.edit').click(), textInRow);
  return page.waitForSelector(`#admin-${tab} form.edit-form`);
}

// Submits form (a handle) and waits for the API answer matching method and
// url part; fails the run unless it is 2xx.
async function submitFor(page, form, method, urlPart, what, selector = 'button[type=submit]') {
  const answered = page.waitForResponse((r) => r.request().method() === method && r.url().includes(urlPart));
  await form.$eval(selector, (b) => b.click());
  const res = await answered;
  if (res.status() >= 300) fail(`${what}: HTTP ${res.status()}`);
  return res;
}

// Administration beyond the lists: a user created, renamed and deactivated;
// an agency's head changed; a machine client created (its secret shown
// once), its write scope widened and revoked; a webhook created, disabled,
// its secret rotated, a period replayed, disabled and deleted. Then checked through
// the API.
async function adminEdits(page) {
  const setValue = (form, sel, v) => form.$eval(sel, (x, val) => { x.value = val; }, v);
  await page.click('nav.tabs a[href="/admin/users"]');
  let form = await page.waitForSelector('#user-form');
  await setValue(form, 'input[name=username]', 'staf.uji');
  await setValue(form, 'input[name=full_name]', 'Staf Uji Konsol');
  await setValue(form, 'input[name=password]', 'Sandi-Uji-Konsol-2026!');
  await submitFor(page, form, 'POST', '/api/v1/users', 'creating a user');
  form = await editRow(page, 'users', 'staf.uji');
  await setValue(form, 'input[name=full_name]', 'Staf Uji Diubah');
  await form.$eval('input[name=active]', (x) => { x.checked = false; });
  await submitFor(page, form, 'PATCH', '/api/v1/users/', 'editing a user');
  await page.waitForFunction(() => [...document.querySelectorAll('#admin-users tbody tr')].some((tr) => tr.textContent.includes('Staf Uji Diubah')), DOM_WAIT);

  await page.click('nav.tabs a[href="/admin/agencies"]');
  form = await editRow(page, 'agencies', 'Dinas Kesehatan');
  await setValue(form, 'input[name=head_name]', 'dr. Kepala Baru');
  await submitFor(page, form, 'PATCH', '/api/v1/agencies/', 'editing an agency');
  await page.waitForFunction(() => document.querySelector('#admin-agencies table')?.textContent.includes('dr. Kepala Baru'), DOM_WAIT);

  await page.click('nav.tabs a[href="/admin/clients"]');
  form = await page.waitForSelector('#client-form');
  await setValue(form, 'input[name=name]', 'E-Office Uji');
  await submitFor(page, form, 'POST', '/api/v1/clients', 'creating a client');
  await page.waitForSelector('#admin-clients .secret-value');
  if ((await page.$eval('#admin-clients .secret-value', (x) => x.textContent)).length < 20) fail('no client secret shown');
  form = await editRow(page, 'clients', 'E-Office Uji');
  await form.$eval('select[name=write_scope]', (x) => { x.value = 'visible'; });
  await submitFor(page, form, 'PATCH', '/api/v1/clients/', 'widening a client');
  // the redrawn table (not the one the answer came to)
  await page.waitForFunction(() => [...document.querySelectorAll('#admin-clients tbody tr')]
    .some((tr) => tr.textContent.includes('E-Office Uji') && tr.textContent.includes('visible')), DOM_WAIT);
  form = await editRow(page, 'clients', 'E-Office Uji');
  await submitFor(page, form, 'DELETE', '/api/v1/clients/', 'revoking a client', 'button.revoke');
  await page.waitForFunction(() => [...document.querySelectorAll('#admin-clients tbody tr')]
    .some((tr) => tr.textContent.includes('E-Office Uji') && !tr.querySelector('button.edit')), DOM_WAIT);

  await page.click('nav.tabs a[href="/admin/webhooks"]');
  form = await page.waitForSelector('#webhook-form');
  await setValue(form, 'input[name=url]', 'https://hooks.example.org/alurd');
  await submitFor(page, form, 'POST', '/api/v1/webhooks', 'creating a webhook');
  await page.waitForSelector('#admin-webhooks .secret-value');
  const first = await page.$eval('#admin-webhooks .secret-value', (x) => x.textContent);
  form = await editRow(page, 'webhooks', 'hooks.example.org');
  await submitFor(page, form, 'POST', '/secret', 'rotating a webhook secret', 'button.rotate');
  await page.waitForFunction((old) => { const x = document.querySelector('#admin-webhooks .secret-value'); return x && x.textContent && x.textContent !== old; }, DOM_WAIT, first);
  const replay = await page.waitForSelector('#admin-webhooks form.replay-form');
  await setValue(replay, 'input[name=from]', '2026-01-01T00:00');
  await setValue(replay, 'input[name=to]', '2030-01-01T00:00');
  await submitFor(page, replay, 'POST', '/replay', 'replaying a webhook');
  form = await page.waitForSelector('#admin-webhooks form.edit-form');
  // only the box changes (the empty description is not sent as null)
  await form.$eval('input[name=enabled]', (x) => { x.checked = false; });
  await submitFor(page, form, 'PATCH', '/api/v1/webhooks/', 'disabling a webhook');
  await page.waitForFunction(() => document.querySelector('#admin-webhooks tbody')?.textContent.includes('Nonaktif'), DOM_WAIT);
  const api = await apiAs('admin');
  const hook = (await api('/webhooks')).items.find((w) => w.url === 'https://hooks.example.org/alurd');
  if (!hook || hook.enabled || hook.description !== '' || !hook.previous_secret_valid_until) fail(`webhook after the edits: ${JSON.stringify(hook)}`);
  form = await editRow(page, 'webhooks', 'hooks.example.org');
  await submitFor(page, form, 'DELETE', '/api/v1/webhooks/', 'deleting a webhook', 'button.delete');
  await page.waitForFunction(() => !document.querySelector('#admin-webhooks tbody')?.textContent.includes('hooks.example.org'), DOM_WAIT);
  await shoot(page, 'admin-webhooks');

  const user = (await api('/users?limit=200')).items.find((u) => u.username === 'staf.uji');
  if (!user || user.active || user.full_name !== 'Staf Uji Diubah') fail(`user after the edits: ${JSON.stringify(user)}`);
  const agency = (await api('/agencies?limit=200')).items.find((a) => a.name.includes('Dinas Kesehatan'));
  if (agency.head_name !== 'dr. Kepala Baru') fail(`agency head ${agency.head_name}`);
  const client = (await api('/clients?limit=200')).items.find((c) => c.name === 'E-Office Uji');
  if (!client || client.write_scope !== 'visible' || !client.revoked_at) fail(`client after the edits: ${JSON.stringify(client)}`);
  if ((await api('/webhooks')).items.some((w) => w.url === 'https://hooks.example.org/alurd')) fail('the webhook was not deleted');
  step('administration: user, agency, client, webhook edited through the UI');
}

const figures = {};
let requestId;
try {
  // ---- step 1: the PD drafts, attaches and submits ----
  let s = await session('pd.dinkes');
  figures.first_screen_ms = s.firstScreenMs;
  await shoot(s.page, 'queue-pd');
  await s.page.click('nav a[href="/permohonan/baru"]');
  await s.page.waitForSelector('#new-request');
  await s.page.type('input[name=title]', 'Sistem Informasi Rujukan Pasien');
  await s.page.type('textarea[name=description]', 'Aplikasi rujukan antar fasilitas kesehatan.');
  await s.page.type('input[name=letter_number]', '445/123/DINKES');
  await shoot(s.page, 'new-request');
  await Promise.all([s.page.waitForSelector('#status[data-status="draft"]'), s.page.click('#new-request button[type=submit]')]);
  requestId = s.page.url().split('/').pop();
  step(`draft ${requestId}`);
  const pdf = join(OUT, 'surat-permohonan.pdf');
  writeFileSync(pdf, '%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
  for (const type of ['surat_permohonan', 'proses_bisnis']) {
    await s.page.select('#upload-form select[name=type]', type);
    const input = await s.page.$('#upload-form input[type=file]');
    await input.uploadFile(pdf);
    const answered = s.page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/documents?'));
    await s.page.click('#upload-form button[type=submit]');
    if ((await answered).status() !== 201) throw new Error(`upload ${type} failed`);
    await s.page.waitForFunction((n) => document.querySelectorAll('ul.docs li').length >= n, DOM_WAIT, type === 'proses_bisnis' ? 2 : 1);
  }
  await act(s.page, 'submit', null, 'submitted');
  await signOut(s);

  // ---- step 2: registration, then the Kepala Dinas disposes ----
  // the Kepala Dinas has "Antrean saya" open before the registration: the
  // request must appear there by itself (the event feed's long-poll), with no
  // reload of the page (the marker set here survives)
  const kadis = await session('kadis');
  await kadis.page.waitForSelector('#queue-total');
  await kadis.page.evaluate(() => { window.alurdNoReload = true; });
  // the secretariat works with the keyboard alone: sign in, open the
  // request from the queue, register it
  s = await keyboardSession('sekretariat');
  const link = `section[data-kind="to_register"] a[href="/permohonan/${requestId}"]`;
  await s.page.waitForSelector(link);
  await tabTo(s.page, link);
  await Promise.all([s.page.waitForSelector('#status'), s.page.keyboard.press('Enter')]);
  await tabTo(s.page, 'button.action[data-action="register"]');
  await s.page.keyboard.press('Enter');
  await s.page.waitForSelector('form.action-form[data-action="register"]');
  const registered = s.page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/register'));
  await tabTo(s.page, 'form.action-form[data-action="register"] button[type=submit]');
  await s.page.keyboard.press('Enter');
  if ((await registered).status() !== 200) fail('the keyboard registration was not answered 200');
  await s.page.waitForSelector('#status[data-status="awaiting_disposition"]');
  step('register -> awaiting_disposition (keyboard only)');
  await signOut(s);

  s = kadis;
  await s.page.bringToFront();
  await s.page.waitForSelector(`section[data-kind="to_dispose"] a[href="/permohonan/${requestId}"]`);
  if (!(await s.page.evaluate(() => window.alurdNoReload === true))) fail('the queue was reloaded instead of updating itself');
  step('the Kepala Dinas\'s queue showed the registered request by itself');
  await shoot(s.page, 'queue-kadis');
  // the Kepala Dinas disposes with the keyboard alone: from the queue's
  // link to the filled form's submit
  const toDispose = `section[data-kind="to_dispose"] a[href="/permohonan/${requestId}"]`;
  await tabTo(s.page, toDispose);
  await Promise.all([s.page.waitForSelector('#status'), s.page.keyboard.press('Enter')]);
  await tabTo(s.page, 'button.action[data-action="dispose"]');
  await s.page.keyboard.press('Enter');
  await s.page.waitForSelector('form.action-form[data-action="dispose"]');
  await tabTo(s.page, 'form.action-form[data-action="dispose"] textarea[name=instruction]');
  await s.page.keyboard.type('Tindak lanjuti bersama Kasi AI.');
  const disposed = s.page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/dispositions'));
  await tabTo(s.page, 'form.action-form[data-action="dispose"] button[type=submit]');
  await s.page.keyboard.press('Enter');
  if ((await disposed).status() !== 201) fail('the keyboard disposition was not answered 201');
  await s.page.waitForSelector('#status[data-status="disposed"]');
  step('dispose -> disposed (keyboard only)');
  await signOut(s);

  // ---- step 3: the Kabid's derived disposition ----
  s = await session('kabid');
  await openRequest(s.page, requestId);
  await act(s.page, 'derive', async (f) => { await f.$eval('textarea[name=instruction]', (t) => { t.value = 'Koordinasikan pembahasan awal.'; }); }, 'in_discussion/awal');
  await signOut(s);

  // ---- step 4: an incomplete initial discussion ----
  s = await session('kasi');
  await openRequest(s.page, requestId);
  await act(s.page, 'record_awal_incomplete', async (f) => {
    await f.$eval('select[name=ck_mekanisme_validasi]', (x) => { x.value = 'incomplete'; });
    await f.$eval('input[name=note_mekanisme_validasi]', (x) => { x.value = 'Mekanisme validasi data belum dijelaskan.'; });
  }, 'awaiting_pd_completion');
  await signOut(s);

  s = await session('pd.dinkes');
  await s.page.waitForSelector(`section[data-kind="to_complete"] a[href="/permohonan/${requestId}"]`);
  await openRequest(s.page, requestId);
  await act(s.page, 'pd_complete', async (f) => {
    await f.$eval('textarea[name=c_mekanisme_validasi]', (x) => { x.value = 'Data diverifikasi koordinator puskesmas.'; });
  }, 'in_discussion/awal');
  await signOut(s);

  // ---- steps 4-6 and the Berita Acara draft ----
  s = await session('kasi');
  await openRequest(s.page, requestId);
  await act(s.page, 'record_awal', null, 'in_discussion/lanjutan');
  await act(s.page, 'record_lanjutan', null, 'in_discussion/final');
  await act(s.page, 'record_final', async (f) => {
    await f.$eval('textarea[name=scope_summary]', (x) => { x.value = 'Sistem informasi rujukan pasien'; });
    await f.$eval('textarea[name=features]', (x) => { x.value = 'Registrasi fasilitas\nRujukan daring'; });
    await f.$eval('input[name=ms_name]', (x) => { x.value = 'Analisis kebutuhan'; });
    await f.$eval('input[name=ms_start]', (x) => { x.value = '2026-01-05'; });
    await f.$eval('input[name=ms_end]', (x) => { x.value = '2026-02-27'; });
  }, 'agreed');
  await click(s.page, '#ba-create', '/berita-acara', '#ba-send');
  // the draft editor: the scope is edited and saved (PATCH with If-Match)
  const edit = await s.page.waitForSelector('form.ba-edit');
  await edit.$eval('textarea[name=scope_summary]', (x) => { x.value = 'Sistem informasi rujukan pasien antar fasilitas kesehatan'; });
  const saved = s.page.waitForResponse((r) => r.request().method() === 'PATCH');
  await edit.$eval('button[type=submit]', (b) => b.click());
  if ((await saved).status() !== 200) fail('the Berita Acara draft was not saved');
  await s.page.waitForFunction(() => document.querySelector('#ba')?.textContent.includes('antar fasilitas kesehatan'), DOM_WAIT);
  await shoot(s.page, 'detail-kasi');
  await click(s.page, '#ba-send', '/send', '#ba-hash');
  await signOut(s);

  // ---- step 7: both signatures, then the Surat Tugas ----
  s = await session('kepala.dinkes');
  await s.page.waitForSelector(`section[data-kind="signatures"] a[href="/permohonan/${requestId}"]`);
  await openRequest(s.page, requestId);
  await click(s.page, '#ba-sign', '/signatures', '.signatures li');
  await signOut(s);

  s = await session('kadis');
  await openRequest(s.page, requestId);
  await click(s.page, '#ba-sign', '/signatures', '#status[data-status="completed"]');
  await act(s.page, 'issue_st', async (f) => {
    await f.$eval('textarea[name=purpose]', (x) => { x.value = 'Pengembangan Sistem Informasi Rujukan Pasien.'; });
  }, 'completed', '.st-item'); // the request stays completed: wait for the Surat Tugas itself
  // the signed Berita Acara's PDF shown inside the page
  const [pdfRes] = await Promise.all([
    s.page.waitForResponse((r) => r.url().endsWith('/pdf') && r.url().includes('/berita-acara/') && r.status() === 200, { timeout: WAIT }),
    s.page.click('#ba-pdf button.preview')]);
  await s.page.waitForSelector('#ba-pdf iframe.pdf-preview[src^="blob:"]');
  if (pdfRes.headers()['content-type'] !== 'application/pdf') fail(`the Berita Acara preview came as ${pdfRes.headers()['content-type']}`);
  const pdfBytes = await fetch(pdfRes.url(), { headers: { Authorization: pdfRes.request().headers().authorization } });
  if (Buffer.from(await pdfBytes.arrayBuffer()).subarray(0, 5).toString('latin1') !== '%PDF-') fail('the Berita Acara preview is not a PDF');
  await shoot(s.page, 'detail-completed');
  await s.page.click('nav a[href="/permohonan"]');
  await s.page.waitForSelector('table.list tbody tr');
  await shoot(s.page, 'list');
  await s.page.click('nav a[href="/dasbor"]');
  await s.page.waitForSelector('svg.chart');
  await shoot(s.page, 'dashboard');
  // another period: the figures are those of the API for that period
  const to = await s.page.$eval('#period input[name=to]', (x) => x.value);
  const from = `${to.slice(0, 4)}-01-01`;
  await s.page.$eval('#period input[name=from]', (x, v) => { x.value = v; }, from);
  await Promise.all([
    s.page.waitForResponse((r) => r.url().includes(`/sla/summary?group_by=agency&from=${from}&to=${to}`) && r.ok(), { timeout: WAIT }),
    s.page.click('#period button[type=submit]')]);
  await s.page.waitForFunction((f) => document.querySelector('#period-shown')?.textContent.includes(f)
    && document.querySelector('#by-step table tbody'), DOM_WAIT, from);
  if (!(await s.page.evaluate(() => location.search)).includes(`from=${from}`)) fail('the period is not in the URL');
  const shownCounts = await s.page.$$eval('#by-step table tbody tr', (rows) => rows.map((r) => Number(r.children[1].textContent)));
  const want = await (await apiAs('kadis'))(`/sla/summary?group_by=step&from=${from}&to=${to}`);
  const wantCounts = [...want.groups].sort((a, b) => Number(a.key) - Number(b.key)).map((g) => g.count);
  if (JSON.stringify(shownCounts) !== JSON.stringify(wantCounts)) {
    fail(`the dashboard for ${from}..${to} shows counts ${JSON.stringify(shownCounts)}, the API ${JSON.stringify(wantCounts)}`);
  }
  // English is one choice away
  await s.page.select('#lang', 'en');
  await s.page.waitForFunction(() => document.documentElement.lang === 'en' && document.querySelector('h1')?.textContent === 'SLA dashboard', DOM_WAIT);
  await s.page.select('#lang', 'id');
  await signOut(s);

  // administration: the lists, the SLA policy, a holiday imported in bulk
  s = await session('admin');
  await s.page.click('nav a[href="/admin"]');
  await s.page.waitForSelector('#admin-users table tbody tr');
  await shoot(s.page, 'admin-users');
  for (const tab of ['agencies', 'clients', 'webhooks', 'policy']) {
    await s.page.click(`nav.tabs a[href="/admin/${tab}"]`);
    await s.page.waitForSelector(`#admin-${tab} ${tab === 'policy' ? '#policy-form' : 'table'}`);
  }
  await s.page.click('nav.tabs a[href="/admin/holidays"]');
  const imp = await s.page.waitForSelector('#holiday-import');
  await imp.$eval('textarea[name=lines]', (x) => { x.value = '2027-03-08;Hari Suci Nyepi;national\n2027-03-09;Cuti bersama Nyepi;collective_leave'; });
  const imported = s.page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/calendar/holidays'));
  await imp.$eval('button[type=submit]', (b) => b.click());
  if ((await imported).status() >= 300) fail('the holiday import was refused');
  await s.page.waitForFunction(() => document.querySelector('#admin-holidays table')?.textContent.includes('Cuti bersama Nyepi'), DOM_WAIT);
  await shoot(s.page, 'admin-holidays');
  await adminEdits(s.page);
  await signOut(s);

  // the sign-in screen itself
  const ctx = await browser.createBrowserContext();
  const p = await ctx.newPage();
  p.on('console', (m) => { if (m.type() === 'error') fail(`[anonymous] console error: ${m.text()}`); });
  await p.setViewport(DESKTOP);
  await p.goto(`${BASE}/antrean`, { waitUntil: 'load' });
  await p.waitForSelector('form.signin');
  await shoot(p, 'signin');
  await ctx.close();

  // ---- the result, through the API ----
  const get = await apiAs('auditor');
  const r = await get(`/requests/${requestId}`);
  if (r.status !== 'completed') fail(`request status ${r.status}, expected completed`);
  const ba = await get(`/requests/${requestId}/berita-acara`);
  if (ba.status !== 'signed' || ba.signatures.length !== 2) fail(`Berita Acara ${ba.status} with ${ba.signatures.length} signatures`);
  if (ba.scope.summary !== 'Sistem informasi rujukan pasien antar fasilitas kesehatan') fail(`Berita Acara scope ${ba.scope.summary}`);
  const st = await get(`/requests/${requestId}/surat-tugas`);
  if (st.items.length !== 1 || !st.items[0].members.length) fail(`Surat Tugas: ${JSON.stringify(st.items)}`);
  const disc = (await get(`/requests/${requestId}/discussions`)).items.map((d) => d.phase).join(',');
  if (disc !== 'awal,awal,lanjutan,final') fail(`discussions ${disc}`);
  const comp = await get(`/requests/${requestId}/completions`);
  if (comp.items.length !== 1) fail(`${comp.items.length} completions`);
  const docs = (await get(`/requests/${requestId}/documents`)).items.map((d) => d.type).sort().join(',');
  if (!docs.includes('proses_bisnis') || !docs.includes('surat_permohonan') || !docs.includes('berita_acara')) fail(`documents ${docs}`);
  const tl = await get(`/requests/${requestId}/timeline`);
  const done = tl.steps.filter((x) => x.completed_at).map((x) => x.step);
  for (let n = 1; n <= 7; n++) if (!done.includes(n)) fail(`step ${n} not completed in the timeline`);
  const hol = (await get('/calendar/holidays?from=2027-03-01&to=2027-03-31')).items.map((x) => x.date).join(',');
  if (hol !== '2027-03-08,2027-03-09') fail(`holidays ${hol}`);
  const disp = await get(`/requests/${requestId}/dispositions`);
  if (disp.items.length !== 1 || disp.items[0].children.length !== 1) fail('the disposition chain is not Kepala Dinas -> Kabid');
} catch (e) {
  fail(`the walk stopped: ${e.stack || e}`);
} finally {
  await browser.close();
  daemon.kill('SIGTERM');
  await new Promise((r) => (daemon.exitCode !== null ? r() : daemon.once('exit', r)));
  psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}

console.log(`figures: first_screen_ms=${figures.first_screen_ms} screens_checked=${axeChecked.size} request=${requestId}`);
if (daemon.exitCode !== 0) fail(`the daemon exited with status ${daemon.exitCode} (log: ${logPath})`);
if (problems.length) {
  console.error(`${problems.length} problem(s)`);
  process.exit(1);
}
console.log('console walk: all seven steps through the UI, no console error, no failed request, axe clean');
