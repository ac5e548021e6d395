// queue.js — "Antrean saya": what waits on the caller, grouped with counts
// and SLA badges, redrawn whenever the event feed (long-poll) says
// something changed: no reload, no timer polling.
import { h, mount } from '../dom.js';
import { t, fmtDateTime } from '../i18n.js';
import * as api from '../api.js';
import { slaBadge, statusLabel } from '../ui.js';

function item(it) {
  const r = it.request;
  return h('li', { class: 'qitem' },
    h('a', { href: `/permohonan/${r.request_id}` }, r.title),
    h('div', { class: 'meta' },
      h('span', {}, r.agency_name || ''), ' · ', h('span', {}, statusLabel(r)),
      r.agenda_number ? [' · ', h('span', {}, r.agenda_number)] : null,
      r.due_at ? [' · ', h('span', {}, `${t('due')}: ${fmtDateTime(r.due_at)}`)] : null),
    slaBadge(r.sla_state, r.due_at, r.remaining_working_seconds),
    it.instruction ? h('p', { class: 'note' }, `${t('from')} ${it.from_user ? it.from_user.full_name : ''}: ${it.instruction}`) : null,
    it.read_at === null ? h('span', { class: 'badge unread' }, t('unread')) : null);
}

function draw(main, q) {
  const groups = q.groups.filter((g) => g.count > 0);
  mount(main,
    h('h1', {}, t('queue_title'), ' ', h('span', { class: 'count', id: 'queue-total' }, String(q.total))),
    h('p', { class: 'muted' }, t('queue_live')),
    groups.length === 0 ? h('p', { class: 'empty' }, t('queue_empty')) : null,
    groups.map((g) => h('section', { class: 'group', 'data-kind': g.kind, 'aria-labelledby': `g-${g.kind}` },
      h('h2', { id: `g-${g.kind}` }, t(`g_${g.kind}`), ' ', h('span', { class: 'count' }, String(g.count))),
      h('ul', { class: 'qlist' }, g.items.map(item)))));
}

// The cursor of the feed's end ("now"): only what comes next is heard.
async function feedEnd() {
  return (await api.get('/events?after=now')).next_cursor;
}

export async function queueView(main) {
  if (['admin', 'auditor'].includes(api.currentUser().role)) {
    mount(main, h('h1', {}, t('queue_title')), h('p', {}, h('a', { href: '/permohonan' }, t('nav_requests'))));
    return null;
  }
  draw(main, await api.get('/me/queue'));
  let live = true;
  const abort = new AbortController();
  (async () => {
    let cursor = await feedEnd();
    while (live) {
      const page = await api.call('GET', `/events?wait=25&limit=200${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`,
        { signal: abort.signal });
      if (!live) return;
      cursor = page.next_cursor;
      if (page.items.length) draw(main, await api.get('/me/queue'));
    }
  })().catch(() => { /* the screen was left, or the session ended */ });
  return () => { live = false; abort.abort(); };
}
