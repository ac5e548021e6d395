// admin.js — administration (admin role): users, agencies, machine clients,
// webhooks, the SLA policy (publish a new version) and the holidays (one at a
// time or a bulk import, one "YYYY-MM-DD;name;kind" per line). Each tab is a
// list read from the API and, where the API allows it, a form.
import { h, mount, field, select } from '../dom.js';
import { t, fmtDate, fmtDateTime } from '../i18n.js';
import * as api from '../api.js';
import { onSubmit, flash, roleLabel } from '../ui.js';

const ROLES = ['kepala_dinas', 'sekretariat', 'kabid_iai', 'kasi_ai', 'tim_spbe', 'pd', 'admin', 'auditor'];
const TABS = ['users', 'agencies', 'clients', 'webhooks', 'policy', 'holidays'];

function table(cols, rows) {
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('scroll_table') }, h('table', {}, h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c ?? '')))))));
}

async function usersTab(box, redraw) {
  const [users, agencies] = await Promise.all([api.get('/users?limit=200'), api.get('/agencies?limit=200')]);
  const names = Object.fromEntries(agencies.items.map((a) => [a.id, a.name]));
  const form = onSubmit(h('form', { class: 'card', id: 'user-form' }, h('h3', {}, `${t('create')}: ${t('users')}`),
    field(t('username'), h('input', { name: 'username', required: true })),
    field('Nama lengkap / Full name', h('input', { name: 'full_name', required: true })),
    field('Role', select('role', ROLES.map((r) => [r, roleLabel(r)]), 'tim_spbe')),
    field(t('agencies'), select('agency_id', [['', '—']].concat(agencies.items.map((a) => [a.id, a.name])), '')),
    field(t('password'), h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' })),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'primary' }, t('save'))), async (fd) => {
    const body = { username: fd.get('username'), full_name: fd.get('full_name'), role: fd.get('role'), password: fd.get('password') };
    if (fd.get('agency_id')) body.agency_id = fd.get('agency_id');
    await api.post('/users', body);
    flash(t('done'), 'ok');
    await redraw();
  });
  mount(box, table([t('username'), 'Nama', 'Role', t('agencies'), 'Aktif'],
    users.items.map((u) => [u.username, u.full_name, roleLabel(u.role), names[u.agency_id] || '', u.active ? '✓' : '—'])), form);
}

async function agenciesTab(box, redraw) {
  const agencies = await api.get('/agencies?limit=200');
  const form = onSubmit(h('form', { class: 'card' }, h('h3', {}, `${t('create')}: ${t('agencies')}`),
    field('Kode / Code', h('input', { name: 'code', required: true })),
    field('Nama / Name', h('input', { name: 'name', required: true })),
    field('Kepala / Head', h('input', { name: 'head_name', required: true })),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'primary' }, t('save'))), async (fd) => {
    await api.post('/agencies', Object.fromEntries(fd));
    flash(t('done'), 'ok');
    await redraw();
  });
  mount(box, table(['Kode', 'Nama', 'Kepala'], agencies.items.map((a) => [a.code, a.name, a.head_name])), form);
}

async function clientsTab(box) {
  const clients = await api.get('/clients?limit=200');
  mount(box, table(['client_id', 'Nama', 'write_scope', 'Dicabut / Revoked'],
    clients.items.map((c) => [c.client_id, c.name, c.write_scope, c.revoked ? '✓' : '—'])));
}

async function webhooksTab(box) {
  const hooks = await api.get('/webhooks');
  mount(box, table(['URL', 'Event', 'Status'], hooks.items.map((w) => [w.url, (w.event_types || []).join(', '), w.status || (w.active ? 'active' : '')])));
}

async function policyTab(box, redraw) {
  const p = await api.get('/sla/policy');
  const rows = p.steps.map((s) => h('tr', {},
    h('th', { scope: 'row' }, `${t('step', { n: s.step })} · ${t(`s${s.step}`)}`),
    h('td', {}, h('input', { name: `warn_${s.step}`, value: s.warn_after, 'aria-label': `${t('warn')} ${s.step}`, size: 8 })),
    h('td', {}, h('input', { name: `due_${s.step}`, value: s.due_after, 'aria-label': `${t('due')} ${s.step}`, size: 8 })),
    h('td', {}, select(`clock_${s.step}`, ['working_time', 'working_days', 'calendar'].map((c) => [c, c]), s.clock)),
    h('td', {}, h('input', { type: 'checkbox', name: `pause_${s.step}`, checked: s.pause_on_pd, 'aria-label': `pause_on_pd ${s.step}` }))));
  const form = onSubmit(h('form', { class: 'card', id: 'policy-form' },
    h('h3', {}, `${t('policy')} v${p.version} · ${fmtDateTime(p.created_at)}`),
    h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('scroll_table') }, h('table', {}, h('thead', {}, h('tr', {}, ['', t('warn'), t('due'), 'clock', 'pause_on_pd'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows))),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'primary' }, 'Terbitkan versi baru / Publish')), async (fd) => {
    await api.call('PUT', '/sla/policy', { json: { steps: p.steps.map((s) => ({ step: s.step, warn_after: fd.get(`warn_${s.step}`),
      due_after: fd.get(`due_${s.step}`), clock: fd.get(`clock_${s.step}`), pause_on_pd: fd.get(`pause_${s.step}`) === 'on' })) } });
    flash(t('done'), 'ok');
    await redraw();
  });
  mount(box, form);
}

async function holidaysTab(box, redraw) {
  const list = await api.get('/calendar/holidays');
  const form = onSubmit(h('form', { class: 'card', id: 'holiday-import' }, h('h3', {}, `${t('holidays')}: import`),
    field('YYYY-MM-DD;nama;kind', h('textarea', { name: 'lines', rows: 5, required: true }), 'kind: national | collective_leave | regional'),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'primary' }, t('save'))), async (fd) => {
    const holidays = String(fd.get('lines')).split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const [date, name, kind] = l.split(';').map((x) => x.trim());
      return { date, name, kind: kind || 'national' };
    });
    await api.post('/calendar/holidays', { holidays });
    flash(t('done'), 'ok');
    await redraw();
  });
  mount(box, table([t('f_from'), 'Nama', 'kind'], (list.items || []).map((x) => [fmtDate(x.date), x.name, x.kind])), form);
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
