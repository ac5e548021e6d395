// app.js — the console's start: restores the session from the refresh
// cookie, draws the header, and routes the History API paths to screens.
// The same paths are served index.html by alurd (server/console.c).
import { h, mount } from './dom.js';
import { t, getLang, setLang } from './i18n.js';
import * as api from './api.js';
import { signinView } from './views/signin.js';
import { queueView } from './views/queue.js';
import { listView, newView } from './views/requests.js';
import { detailView } from './views/detail.js';
import { dashboardView } from './views/dashboard.js';
import { adminView } from './views/admin.js';
import { errorBox } from './ui.js';

const main = document.getElementById('main');
const top = document.getElementById('top');
let stop = null; // the running screen's cleanup (e.g. the feed's long-poll)

const routes = [
  [/^\/masuk$/, () => signinView],
  [/^\/(antrean)?$/, () => queueView],
  [/^\/permohonan$/, () => listView],
  [/^\/permohonan\/baru$/, () => newView],
  [/^\/permohonan\/([0-9a-f-]{36})$/, () => detailView],
  [/^\/dasbor$/, () => dashboardView],
  [/^\/admin(?:\/([a-z]+))?$/, () => adminView],
];

export function go(path, replace = false) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function header() {
  const user = api.currentUser();
  const link = (href, label) => h('a', { href, 'aria-current': location.pathname === href ? 'page' : false }, label);
  const nav = user ? h('nav', { 'aria-label': 'Menu' },
    link('/antrean', t('nav_queue')),
    link('/permohonan', t('nav_requests')),
    user.role === 'pd' ? link('/permohonan/baru', t('nav_new')) : null,
    ['kepala_dinas', 'auditor', 'admin'].includes(user.role) ? link('/dasbor', t('nav_dashboard')) : null,
    user.role === 'admin' ? link('/admin', t('nav_admin')) : null) : null;
  const langSel = h('select', { id: 'lang', 'aria-label': t('lang'), onchange: (e) => { setLang(e.target.value); render(); } },
    h('option', { value: 'id', selected: getLang() === 'id' }, 'Bahasa Indonesia'),
    h('option', { value: 'en', selected: getLang() === 'en' }, 'English'));
  mount(top,
    h('div', { class: 'brand' }, h('strong', {}, 'alurd'), ' ', h('span', {}, t('app'))),
    nav,
    h('div', { class: 'who' },
      langSel,
      user ? h('span', { class: 'me', 'data-role': user.role }, `${user.full_name}`) : null,
      user ? h('button', { type: 'button', id: 'signout', class: 'link', onclick: async () => { await api.signOut(); go('/masuk'); } }, t('signout')) : null),
    h('div', { id: 'flash', role: 'status', 'aria-live': 'polite' }));
}

// Each render draws into a container of its own: a screen still loading when
// the next one starts draws into a detached box, never over its successor.
let generation = 0;
export async function render() {
  const mine = ++generation;
  if (stop) { stop(); stop = null; }
  document.documentElement.lang = getLang();
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (!api.currentUser() && path !== '/masuk') {
    history.replaceState(null, '', `/masuk?next=${encodeURIComponent(location.pathname + location.search)}`);
    return render();
  }
  header();
  for (const [re, view] of routes) {
    const m = path.match(re);
    if (m) {
      const box = h('div', { class: 'view' }, h('p', { class: 'loading' }, t('loading')));
      mount(main, box);
      try {
        const cleanup = (await view()(box, { params: m.slice(1), go, query: new URLSearchParams(location.search) })) || null;
        if (mine === generation) stop = cleanup;
        else if (cleanup) cleanup();
      } catch (e) {
        mount(box, errorBox(e));
      }
      return;
    }
  }
  mount(main, h('h1', {}, t('not_found')), h('a', { href: '/antrean' }, t('back')));
}

// Links inside the app navigate without a reload.
document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a[href^="/"]');
  if (!a || a.target || a.hasAttribute('download') || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  ev.preventDefault();
  go(a.getAttribute('href'));
});
window.addEventListener('popstate', render);

setLang(getLang());
api.restore().finally(render);
