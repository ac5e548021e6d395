// admin.js — administration (admin role): users, agencies, machine clients,
// webhooks, the SLA policy (publish a new version) and the holidays (one at a
// time or a bulk import, one "YYYY-MM-DD;name;kind" per line). Each tab is a
// list read from the API with a form to create; each row has an "Ubah"
// (edit) button opening a form that PATCHes only what changed (users and
// agencies deactivated there), and the clients and webhooks their own acts:
// revoke, rotate the secret (shown once), replay a period, delete.
import { h, mount, field, select } from '../dom.js';
import { t, fmtDate, fmtDateTime } from '../i18n.js';
import * as api from '../api.js';
import { onSubmit, flash, roleLabel, problemText } from '../ui.js';

const ROLES = ['kepala_dinas', 'sekretariat', 'kabid_iai', 'kasi_ai', 'tim_spbe', 'pd', 'admin', 'auditor'];
const TABS = ['users', 'agencies', 'clients', 'webhooks', 'policy', 'holidays'];

function table(cols, rows) {
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('scroll_table') }, h('table', {}, h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c ?? '')))))));
}

// A field of an edit form: text (nullable: empty is null), select, check.
const text = (name, label, nullable = false) => ({ name, label, kind: 'text', nullable });
const choice = (name, label, options, nullable = false) => ({ name, label, kind: 'select', options, nullable });
const check = (name, label) => ({ name, label, kind: 'check' });

function control(f, value) {
  if (f.kind === 'check') return h('input', { type: 'checkbox', name: f.name, checked: !!value });
  if (f.kind === 'select') return select(f.name, f.options, value ?? '');
  return h('input', { name: f.name, value: value ?? '' });
}

function valueOf(f, fd) {
  if (f.kind === 'check') return fd.get(f.name) === 'on';
  const v = String(fd.get(f.name) ?? '').trim();
  return v === '' && f.nullable ? null : v;
}

// The edit form of item (fields above), drawn into slot and focused; save
// gets only the fields whose value changed. extra: more buttons.
function openEditor(slot, title, fields, item, save, ...extra) {
  const form = onSubmit(h('form', { class: 'card edit-form', 'data-id': item.id }, h('h3', {}, t('editing', { x: title })),
    fields.map((f) => field(f.label, control(f, item[f.name]))),
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('save')), ...extra,
      h('button', { type: 'button', onclick: () => mount(slot) }, t('cancel')))), async (fd) => {
    const body = {};
    for (const f of fields) {
      const v = valueOf(f, fd);
      if (v !== (item[f.name] ?? (f.kind === 'check' ? false : f.nullable ? null : ''))) body[f.name] = v;
    }
    if (Object.keys(body).length) await save(body);
    flash(t('done'), 'ok');
  });
  mount(slot, form);
  form.querySelector('input, select')?.focus();
  return form;
}

// A button that runs fn, showing a failure in words.
function actButton(label, cls, fn) {
  return h('button', { type: 'button', class: cls, onclick: async (ev) => {
    ev.target.disabled = true;
    try { await fn(); } catch (e) { flash(problemText(e), 'error'); } finally { if (ev.target.isConnected) ev.target.disabled = false; }
  } }, label);
}

const editButton = (slot, label, open) => h('button', { type: 'button', class: 'edit', 'aria-label': `${t('edit')}: ${label}`,
  onclick: open }, t('edit'));

async function usersTab(box, redraw) {
  const [users, agencies] = await Promise.all([api.get('/users?limit=200'), api.get('/agencies?limit=200')]);
  const names = Object.fromEntries(agencies.items.map((a) => [a.id, a.name]));
  const form = onSubmit(h('form', { class: 'card', id: 'user-form' }, h('h3', {}, `${t('create')}: ${t('users')}`),
    field(t('username'), h('input', { name: 'username', required: true })),
    field(t('full_name'), h('input', { name: 'full_name', required: true })),
    field(t('role'), select('role', ROLES.map((r) => [r, roleLabel(r)]), 'tim_spbe')),
    field(t('agencies'), select('agency_id', [['', '—']].concat(agencies.items.map((a) => [a.id, a.name])), '')),
    field(t('password'), h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' })),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'primary' }, t('save'))), async (fd) => {
    const body = { username: fd.get('username'), full_name: fd.get('full_name'), role: fd.get('role'), password: fd.get('password') };
    if (fd.get('agency_id')) body.agency_id = fd.get('agency_id');
    await api.post('/users', body);
    flash(t('done'), 'ok');
    await redraw();
  });
  const slot = h('div', { class: 'edit-slot' });
  const fields = [text('full_name', t('full_name')), text('position', t('position'), true),
    choice('role', t('role'), ROLES.map((r) => [r, roleLabel(r)])),
    choice('agency_id', t('agencies'), [['', '—']].concat(agencies.items.map((a) => [a.id, a.name])), true),
    check('is_signatory', t('signatory')), check('active', t('active'))];
  mount(box, table([t('username'), t('full_name'), t('role'), t('agencies'), t('active'), t('actions')],
    users.items.map((u) => [u.username, u.full_name, roleLabel(u.role), names[u.agency_id] || '', u.active ? '✓' : '—',
      editButton(slot, u.username, () => openEditor(slot, u.username, fields, u, async (body) => {
        await api.patch(`/users/${u.id}`, body);
        await redraw();
      }))])), slot, form);
}

async function agenciesTab(box, redraw) {
  const agencies = await api.get('/agencies?limit=200');
  const form = onSubmit(h('form', { class: 'card' }, h('h3', {}, `${t('create')}: ${t('agencies')}`),
    field(t('code'), h('input', { name: 'code', required: true })),
    field(t('name'), h('input', { name: 'name', required: true })),
    field(t('head_name'), h('input', { name: 'head_name', required: true })),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'primary' }, t('save'))), async (fd) => {
    await api.post('/agencies', Object.fromEntries(fd));
    flash(t('done'), 'ok');
    await redraw();
  });
  const slot = h('div', { class: 'edit-slot' });
  const fields = [text('code', t('code')), text('name', t('name')), text('head_name', t('head_name'), true), check('active', t('active'))];
  mount(box, table([t('code'), t('name'), t('head_name'), t('active'), t('actions')],
    agencies.items.map((a) => [a.code, a.name, a.head_name, a.active ? '✓' : '—',
      editButton(slot, a.name, () => openEditor(slot, a.name, fields, a, async (body) => {
        await api.patch(`/agencies/${a.id}`, body);
        await redraw();
      }))])), slot, form);
}

// A secret the API shows once, kept on screen until the tab is redrawn.
function secretBox(secret) {
  return h('div', { class: 'card secret', role: 'status' }, h('p', {}, t('secret_once')), h('code', { class: 'secret-value' }, secret));
}

async function clientsTab(box, redraw) {
  const [clients, agencies] = await Promise.all([api.get('/clients?limit=200'), api.get('/agencies?limit=200')]);
  const names = Object.fromEntries(agencies.items.map((a) => [a.id, a.name]));
  const scopes = [['own', 'own'], ['visible', 'visible']];
  const shown = h('div', { class: 'secret-slot' });
  const form = onSubmit(h('form', { class: 'card', id: 'client-form' }, h('h3', {}, t('new_client')),
    field(t('name'), h('input', { name: 'name', required: true })),
    field(t('agencies'), select('agency_id', [['', '—']].concat(agencies.items.map((a) => [a.id, a.name])), '')),
    field(t('write_scope'), select('write_scope', scopes, 'own')),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'primary' }, t('save'))), async (fd) => {
    const body = { name: fd.get('name'), write_scope: fd.get('write_scope') };
    if (fd.get('agency_id')) body.agency_id = fd.get('agency_id');
    const made = await api.post('/clients', body);
    await redraw();
    mount(box.querySelector('.secret-slot'), h('p', {}, `client_id: ${made.client_id}`), secretBox(made.client_secret));
  });
  const slot = h('div', { class: 'edit-slot' });
  mount(box, table(['client_id', t('name'), t('agencies'), t('write_scope'), t('revoked'), t('actions')],
    clients.items.map((c) => [c.client_id, c.name, names[c.agency_id] || '—', c.write_scope, c.revoked_at ? fmtDateTime(c.revoked_at) : '—',
      c.revoked_at ? '' : editButton(slot, c.name, () => openEditor(slot, c.name, [choice('write_scope', t('write_scope'), scopes)], c,
        async (body) => { await api.patch(`/clients/${c.id}`, body); await redraw(); },
        actButton(t('revoke'), 'danger revoke', async () => { await api.call('DELETE', `/clients/${c.id}`); flash(t('done'), 'ok'); await redraw(); })))])),
  slot, shown, form);
}

// datetime-local (read as WITA, the calendar's zone) to RFC 3339.
const wita = (v) => `${v.length === 16 ? `${v}:00` : v}+08:00`;

async function webhooksTab(box, redraw) {
  const hooks = await api.get('/webhooks');
  const shown = h('div', { class: 'secret-slot' });
  const form = onSubmit(h('form', { class: 'card', id: 'webhook-form' }, h('h3', {}, t('new_webhook')),
    field(t('url'), h('input', { name: 'url', type: 'url', required: true })),
    field(t('event_types'), h('input', { name: 'event_types', required: true, value: 'request.*' })),
    field(t('description'), h('input', { name: 'description' })),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'primary' }, t('save'))), async (fd) => {
    const body = { url: fd.get('url'), event_types: String(fd.get('event_types')).split(',').map((x) => x.trim()).filter(Boolean) };
    if (fd.get('description')) body.description = fd.get('description');
    const made = await api.post('/webhooks', body);
    await redraw();
    mount(box.querySelector('.secret-slot'), secretBox(made.secret));
  });
  const slot = h('div', { class: 'edit-slot' });
  const fields = [text('url', t('url')), text('event_types', t('event_types')), text('description', t('description')), check('enabled', t('enabled'))];
  const open = (w) => {
    const item = { ...w, event_types: (w.event_types || []).join(', ') };
    const replay = onSubmit(h('form', { class: 'card replay-form' }, h('h3', {}, `${t('replay')}: ${w.url}`),
      field(t('replay_from'), h('input', { type: 'datetime-local', name: 'from', required: true })),
      field(t('replay_to'), h('input', { type: 'datetime-local', name: 'to', required: true })),
      h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit' }, t('replay'))), async (fd) => {
      const r = await api.post(`/webhooks/${w.id}/replay`, { from: wita(fd.get('from')), to: wita(fd.get('to')) });
      flash(t('replayed', { n: r.deliveries }), 'ok');
    });
    const edit = openEditor(slot, w.url, fields, item, async (body) => {
      if ('event_types' in body) body.event_types = body.event_types.split(',').map((x) => x.trim()).filter(Boolean);
      await api.patch(`/webhooks/${w.id}`, body);
      await redraw();
    }, actButton(t('rotate_secret'), 'rotate', async () => {
      const r = await api.post(`/webhooks/${w.id}/secret`);
      mount(box.querySelector('.secret-slot'), secretBox(r.secret));
    }), actButton(t('delete'), 'danger delete', async () => { await api.call('DELETE', `/webhooks/${w.id}`); flash(t('done'), 'ok'); await redraw(); }));
    slot.append(replay);
    return edit;
  };
  mount(box, table([t('url'), t('event_types_short'), t('status'), t('actions')], hooks.items.map((w) => [w.url, (w.event_types || []).join(', '),
    w.enabled ? t('enabled') : `${t('disabled')}${w.disabled_reason ? ` (${w.disabled_reason})` : ''}`, editButton(slot, w.url, () => open(w))])),
  slot, shown, form);
}

async function policyTab(box, redraw) {
  const p = await api.get('/sla/policy');
  const rows = p.steps.map((s) => h('tr', {},
    h('th', { scope: 'row' }, `${t('step', { n: s.step })} · ${t(`s${s.step}`)}`),
    h('td', {}, h('input', { name: `warn_${s.step}`, value: s.warn_after, 'aria-label': `${t('warn')} ${s.step}`, size: 8 })),
    h('td', {}, h('input', { name: `due_${s.step}`, value: s.due_after, 'aria-label': `${t('due')} ${s.step}`, size: 8 })),
    h('td', {}, select(`clock_${s.step}`, ['working_time', 'working_days', 'calendar'].map((c) => [c, t(`clock_${c}`)]), s.clock)),
    h('td', {}, h('input', { type: 'checkbox', name: `pause_${s.step}`, checked: s.pause_on_pd, 'aria-label': `${t('pause_on_pd')} ${s.step}` }))));
  const form = onSubmit(h('form', { class: 'card', id: 'policy-form' },
    h('h3', {}, `${t('policy')} v${p.version} · ${fmtDateTime(p.created_at)}`),
    h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('scroll_table') }, h('table', {}, h('thead', {}, h('tr', {}, ['', t('warn'), t('due'), t('clock'), t('pause_on_pd')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows))),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'primary' }, t('publish'))), async (fd) => {
    await api.call('PUT', '/sla/policy', { json: { steps: p.steps.map((s) => ({ step: s.step, warn_after: fd.get(`warn_${s.step}`),
      due_after: fd.get(`due_${s.step}`), clock: fd.get(`clock_${s.step}`), pause_on_pd: fd.get(`pause_${s.step}`) === 'on' })) } });
    flash(t('done'), 'ok');
    await redraw();
  });
  mount(box, form);
}

async function holidaysTab(box, redraw) {
  const list = await api.get('/calendar/holidays');
  const form = onSubmit(h('form', { class: 'card', id: 'holiday-import' }, h('h3', {}, `${t('holidays')}: ${t('import')}`),
    field(t('holiday_lines'), h('textarea', { name: 'lines', rows: 5, required: true }), t('holiday_kinds')),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'primary' }, t('save'))), async (fd) => {
    const holidays = String(fd.get('lines')).split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const [date, name, kind] = l.split(';').map((x) => x.trim());
      return { date, name, kind: kind || 'national' };
    });
    await api.post('/calendar/holidays', { holidays });
    flash(t('done'), 'ok');
    await redraw();
  });
  mount(box, table([t('date'), t('name'), t('holiday_kind')], (list.items || []).map((x) => [fmtDate(x.date), x.name, t(`hk_${x.kind}`)])), form);
}

const tabs = { users: usersTab, agencies: agenciesTab, clients: clientsTab, webhooks: webhooksTab, policy: policyTab, holidays: holidaysTab };

export async function adminView(main, { params }) {
  const tab = TABS.includes(params[0]) ? params[0] : 'users';
  const box = h('div', { id: `admin-${tab}` }, t('loading'));
  mount(main, h('h1', {}, t('admin_title')),
    h('nav', { class: 'tabs', 'aria-label': t('admin_title') }, TABS.map((k) =>
      h('a', { href: `/admin/${k}`, 'aria-current': k === tab ? 'page' : false }, t(k)))),
    box);
  const redraw = () => tabs[tab](box, redraw);
  await redraw();
}
