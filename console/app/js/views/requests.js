// requests.js — the request list (filters: status, step, agency, SLA state,
// period, search; keyset paging with next_cursor) and the PD's new request.
import { h, mount, field, select } from '../dom.js';
import { t, fmtDateTime } from '../i18n.js';
import * as api from '../api.js';
import { slaBadge, statusLabel, onSubmit } from '../ui.js';

const STATUSES = ['draft', 'submitted', 'awaiting_disposition', 'disposed', 'in_discussion', 'awaiting_pd_completion', 'agreed', 'completed', 'withdrawn', 'rejected'];
const FILTERS = ['status', 'step', 'agency_id', 'sla_state', 'from', 'to', 'q'];

function row(r) {
  return h('tr', {},
    h('td', {}, h('a', { href: `/permohonan/${r.id}` }, r.title)),
    h('td', {}, r.agency_name || ''),
    h('td', {}, statusLabel(r)),
    h('td', {}, r.current_step ? String(r.current_step) : '—'),
    h('td', {}, r.agenda_number || '—'),
    h('td', {}, fmtDateTime(r.due_at)),
    h('td', {}, slaBadge(r.sla_state, r.due_at)));
}

export async function listView(main, { query, go }) {
  const me = api.currentUser();
  const agencies = me.role === 'pd' ? [] : (await api.get('/agencies?limit=200')).items;
  const q = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) || '']));
  const any = [['', t('any')]];
  const form = h('form', { class: 'filters', role: 'search' },
    field(t('f_status'), select('status', any.concat(STATUSES.map((s) => [s, t(`st_${s}`)])), q.status)),
    field(t('f_step'), select('step', any.concat([1, 2, 3, 4, 5, 6, 7].map((n) => [String(n), `${n} · ${t(`s${n}`)}`])), q.step)),
    agencies.length ? field(t('f_agency'), select('agency_id', any.concat(agencies.map((a) => [a.id, a.name])), q.agency_id)) : null,
    field(t('f_sla'), select('sla_state', any.concat(['on_time', 'warning', 'breached', 'paused'].map((s) => [s, t(`sla_${s}`)])), q.sla_state)),
    field(t('f_from'), h('input', { type: 'date', name: 'from', value: q.from })),
    field(t('f_to'), h('input', { type: 'date', name: 'to', value: q.to })),
    field(t('f_q'), h('input', { type: 'search', name: 'q', value: q.q })),
    h('button', { type: 'submit' }, t('apply')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) p.set(k, v);
    go(`/permohonan${p.toString() ? `?${p}` : ''}`);
  });
  const body = h('tbody', {});
  const more = h('button', { type: 'button', id: 'more', hidden: true }, t('more'));
  const empty = h('p', { class: 'empty', hidden: true }, t('none'));
  let cursor = null;
  const load = async () => {
    const p = new URLSearchParams();
    for (const k of FILTERS) if (q[k]) p.set(k, q[k]);
    p.set('limit', '25');
    if (cursor) p.set('cursor', cursor);
    const page = await api.get(`/requests?${p}`);
    page.items.forEach((r) => body.append(row(r)));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    empty.hidden = body.children.length > 0;
  };
  more.addEventListener('click', load);
  mount(main, h('h1', {}, t('list_title')), form,
    h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('scroll_table') }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['c_title', 'c_agency', 'c_status', 'c_step', 'c_agenda', 'c_due', 'c_sla'].map((k) => h('th', { scope: 'col' }, t(k))))),
      body)), empty, more);
  await load();
}

export async function newView(main, { go }) {
  const form = onSubmit(h('form', { class: 'card', id: 'new-request' },
    h('h1', {}, t('new_title')),
    field(t('kind'), select('kind', ['pembangunan', 'pengembangan', 'integrasi'].map((k) => [k, t(`k_${k}`)]), 'pembangunan')),
    field(t('c_title'), h('input', { name: 'title', required: true, maxlength: 200 })),
    field(t('description'), h('textarea', { name: 'description', rows: 4 })),
    field(t('letter_number'), h('input', { name: 'letter_number' })),
    field(t('letter_date'), h('input', { name: 'letter_date', type: 'date' })),
    h('p', { class: 'muted' }, t('docs_needed')),
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'primary' }, t('create'))), async (fd) => {
    const body = { kind: fd.get('kind'), title: fd.get('title'), description: fd.get('description') };
    if (fd.get('letter_number')) body.letter_number = fd.get('letter_number');
    if (fd.get('letter_date')) body.letter_date = fd.get('letter_date');
    const r = await api.post('/requests', body);
    go(`/permohonan/${r.id}`);
  });
  mount(main, form);
}
