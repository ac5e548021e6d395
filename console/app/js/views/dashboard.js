// dashboard.js — the SLA dashboard (Kepala Dinas, auditor, admin): overdue
// steps, compliance per step and per agency as SVG bars, delay attribution;
// each chart has its table of numbers one click away (<details>).
import { h, mount, field } from '../dom.js';
import { t, fmtDateTime, hours } from '../i18n.js';
import * as api from '../api.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  kids.forEach((k) => el.append(typeof k === 'string' ? document.createTextNode(k) : k));
  return el;
}

function bars(title, rows) { // rows: [label, bar length 0..100 or null, text (default: the percentage)]
  const w = 440, bh = 22, lx = 200;
  const svg = s('svg', { viewBox: `0 0 ${w} ${rows.length * bh + 4}`, role: 'img', 'aria-label': title, class: 'chart' },
    ...rows.map(([label, v, text], i) => s('g', {},
      s('text', { x: 0, y: i * bh + 15, class: 'lbl' }, label.length > 30 ? `${label.slice(0, 29)}…` : label),
      s('rect', { x: lx, y: i * bh + 4, width: Math.max(0, ((v || 0) / 100) * 170), height: bh - 8, class: v === null ? 'bar none' : 'bar' }),
      s('text', { x: lx + 176, y: i * bh + 15, class: 'val' }, text ?? (v === null ? '—' : `${Math.round(v)}%`)))));
  return svg;
}

function table(cols, rows) {
  return h('table', {}, h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, String(c)))))));
}

// The period picker: both dates or neither (the summary's default window,
// the last 30 days in the calendar's zone); the choice lives in the URL.
function periodForm(from, to, go) {
  const form = h('form', { class: 'filters', id: 'period', 'aria-label': t('period') },
    field(t('f_from'), h('input', { type: 'date', name: 'from', value: from, required: true })),
    field(t('f_to'), h('input', { type: 'date', name: 'to', value: to, required: true })),
    h('button', { type: 'submit' }, t('apply')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const d = new FormData(form);
    go(`/dasbor?${new URLSearchParams({ from: d.get('from'), to: d.get('to') })}`);
  });
  return form;
}

export async function dashboardView(main, { query, go }) {
  const period = query.get('from') && query.get('to')
    ? `&${new URLSearchParams({ from: query.get('from'), to: query.get('to') })}` : '';
  const [overdue, byStep, byAgency, agencies] = await Promise.all([
    api.get('/sla/overdue?limit=50'), api.get(`/sla/summary?group_by=step${period}`),
    api.get(`/sla/summary?group_by=agency${period}`), api.get('/agencies?limit=200')]);
  const names = Object.fromEntries(agencies.items.map((a) => [a.id, a.name]));
  const stepLabel = (g) => `${t('step', { n: g.key })} · ${t(`s${g.key}`)}`;
  const agencyLabel = (g) => names[g.key] || g.key;
  const sorted = (groups, byKey) => [...groups].sort((a, b) => (byKey ? Number(a.key) - Number(b.key) : agencyLabel(a).localeCompare(agencyLabel(b))));
  const chart = (id, title, groups, label) => h('section', { class: 'card', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title),
    groups.length ? bars(title, groups.map((g) => [label(g), g.compliance_pct])) : h('p', { class: 'empty' }, '—'),
    h('details', {}, h('summary', {}, t('show_numbers')),
      h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('scroll_table') }, table([title, t('count'), t('met'), t('breached'), t('compliance')],
        groups.map((g) => [label(g), g.count, g.met, g.breached, g.compliance_pct === null ? '—' : `${g.compliance_pct}%`])))));
  const waiting = (byAgency.total && byAgency.total.waiting_working_seconds) || {};
  const maxWait = Math.max(1, ...Object.values(waiting));
  mount(main, h('h1', {}, t('dash_title')),
    h('p', { class: 'muted', id: 'period-shown' }, `${t('period')}: ${byStep.from} – ${byStep.to}`),
    periodForm(byStep.from, byStep.to, go),
    h('section', { class: 'card', id: 'overdue', 'aria-labelledby': 'overdue-h' }, h('h2', { id: 'overdue-h' }, `${t('overdue')} (${overdue.items.length})`),
      overdue.items.length ? h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('scroll_table') }, table([t('c_title'), t('c_step'), t('c_due'), t('waiting_on')],
        overdue.items.map((o) => [o.title, o.step, fmtDateTime(o.due_at), o.waiting_on || '']))) : h('p', { class: 'empty' }, '0')),
    chart('by-step', t('compliance_step'), sorted(byStep.groups, true), stepLabel),
    chart('by-agency', t('compliance_agency'), sorted(byAgency.groups, false), agencyLabel),
    h('section', { class: 'card', id: 'delay', 'aria-labelledby': 'delay-h' }, h('h2', { id: 'delay-h' }, t('delay')),
      bars(t('delay'), Object.entries(waiting).map(([k, v]) => [k === 'kasi_ai_tim_spbe' ? 'Kasi + Tim' : k, (v / maxWait) * 100, `${hours(v)} h`])),
      h('details', {}, h('summary', {}, t('show_numbers')),
        table([t('waiting_on'), 'jam kerja / working h'], Object.entries(waiting).map(([k, v]) => [k, hours(v)])))));
}
