// ui.js — pieces every screen shares: SLA badges, status labels, problem
// messages in words, a flash area read by screen readers.
import { h } from './dom.js';
import { t, hours } from './i18n.js';

// The badge of an SLA state, with the time to the deadline: working hours
// when the API gave them (the queue's cards, the timeline), else clock
// hours to due_at.
export function slaBadge(state, dueAt, remainingWorking) {
  if (!state) return null;
  const label = t(`sla_${state}`);
  let extra = '';
  if (typeof remainingWorking === 'number' && (state === 'on_time' || state === 'warning' || state === 'breached')) {
    extra = remainingWorking >= 0 ? ` · ${t('left_working', { t: hours(remainingWorking) })}`
      : ` · ${t('over_working', { t: hours(-remainingWorking) })}`;
  } else if (dueAt && (state === 'on_time' || state === 'warning' || state === 'breached')) {
    const secs = (new Date(dueAt) - Date.now()) / 1000;
    extra = secs >= 0 ? ` · ${t('left', { t: hours(secs) })}` : ` · ${t('over', { t: hours(-secs) })}`;
  }
  return h('span', { class: `badge sla-${state}`, title: label }, label + extra);
}

export function statusLabel(r) {
  if (r.status === 'in_discussion' && r.phase) return t(`ph_${r.phase}`);
  return t(`st_${r.status}`);
}

export function problemText(e) {
  if (!e || e.status === 0 || e instanceof TypeError) return t('err_network');
  switch (e.code) {
    case 'auth.invalid_credentials': return t('err_credentials');
    case 'auth.throttled': return t('err_throttled', { s: e.retryAfter || '?' });
    case 'auth.busy': return t('err_busy');
    case 'auth.token_expired': case 'auth.invalid_refresh_token': case 'auth.refresh_token_reused': return t('err_expired');
    default: break;
  }
  if (e.status === 403) return `${t('err_forbidden')} (${e.message})`;
  if (e.status === 409 || e.status === 412) return `${t('err_conflict')} (${e.message})`;
  const fields = (e.problem && e.problem.errors) || [];
  const detail = fields.length ? fields.map((f) => `${f.field}: ${f.detail}`).join('; ') : e.message;
  return t('err_generic', { d: detail });
}

export function flash(msg, kind = 'info') {
  const box = document.getElementById('flash');
  if (!box) return;
  box.className = `flash ${kind}`;
  box.textContent = msg;
}

export function errorBox(e) {
  return h('p', { class: 'flash error', role: 'alert' }, problemText(e));
}

// Runs fn on submit with the button disabled; shows the error in place.
export function onSubmit(form, fn) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const btn = form.querySelector('button[type=submit]');
    const out = form.querySelector('.form-error');
    if (btn) btn.disabled = true;
    if (out) out.textContent = '';
    try {
      await fn(new FormData(form));
    } catch (e) {
      if (out) out.textContent = problemText(e);
      else flash(problemText(e), 'error');
    } finally {
      if (btn && btn.isConnected) btn.disabled = false;
    }
  });
  return form;
}

export const roleLabel = (r) => t(`role_${r}`);
export const waitingLabel = (w) => (w ? t(`w_${w}`) : t('w_nobody'));
