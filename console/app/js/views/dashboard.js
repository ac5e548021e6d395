// dashboard.js — the SLA dashboard (Kepala Dinas, auditor, admin): overdue
// steps, compliance per step and per agency as SVG bars, delay attribution;
// each chart has its table of numbers one click away (<details>).
import { h, mount } from '../dom.js';
import { t, fmtDateTime, hours } from '../i18n.js';
import * as api from '../api.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  kids.forEach((k) => el.append(typeof k === 'string' ? document.createTextNode(k) : k));
  return el;
}

function bars(title, rows) { // rows: [label, value 0..100 or null]
  const w = 320, bh = 22;
  const svg = s('svg', { viewBox: `0 0 ${w} ${rows.length * bh + 4}`, role: 'img', 'aria-label': title, class: 'chart' },
    ...rows.map(([label, v], i) => s('g', {},
      s('text', { x: 0, y: i * bh + 15, class: 'lbl' }, label),
      s('rect', { x: 130, y: i * bh + 4, width: Math.max(0, ((v || 0) / 100) * 150), height: bh - 8, class: v === null ? 'bar none' : 'bar' }),
      s('text', { x: 286, y: i * bh + 15, class: 'val' }, v === null ? '—' : `${Math.round(v)}%`))));
  return svg;
}

function table(cols, rows) {
  return h('table', {}, h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, String(c)))))));
}

export async function dashboardView(main) {
  const [overdue, byStep, byAgency] = await Promise.all([
    api.get('/sla/overdue?limit=50'), api.get('/sla/summary?group_by=step'), api.get('/sla/summary?group_by=agency')]);
  const groupRows = (g) => (g.groups || []);
  const pct = (x) => (x.compliance_percent ?? x.compliance ?? null);
  const label = (x) => (x.step ? `${t('step', { n: x.step })}` : x.agency_name || x.agency_code || x.agency_id || '');
  const chart = (title, data) => h('section', { class: 'card' }, h('h2', {}, title),
    bars(title, groupRows(data).map((x) => [label(x), pct(x)])),
    h('details', {}, h('summary', {}, t('show_numbers')),
      table([t('c_step'), t('count'), t('met'), t('breached'), t('compliance')],
        groupRows(data).map((x) => [label(x), x.count ?? '', x.met ?? '', x.breached ?? '', pct(x) === null ? '—' : `${pct(x)}%`]))));
  const attribution = byStep.waiting_working_seconds || {};
  mount(main, h('h1', {}, t('dash_title')),
    h('section', { class: 'card' }, h('h2', {}, t('overdue')),
      overdue.items.length ? table([t('c_title'), t('c_step'), t('c_due'), t('waiting_on')],
        overdue.items.map((o) => [o.title, o.step, fmtDateTime(o.due_at), o.waiting_on || ''])) : h('p', { class: 'empty' }, '0')),
    chart(t('compliance_step'), byStep), chart(t('compliance_agency'), byAgency),
    h('section', { class: 'card' }, h('h2', {}, t('delay')),
      table([t('waiting_on'), 'h'], Object.entries(attribution).map(([k, v]) => [k, hours(v)]))));
}
