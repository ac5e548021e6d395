// signin.js — the sign-in form; throttling and expiry answered in words.
import { h, mount, field } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { onSubmit } from '../ui.js';

export async function signinView(main, { go, query }) {
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card signin', 'aria-labelledby': 'signin-h' },
    h('h1', { id: 'signin-h' }, t('signin_title')),
    h('p', { class: 'muted' }, t('org')),
    field(t('username'), user),
    field(t('password'), pass),
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'primary' }, t('signin')));
  onSubmit(form, async (fd) => {
    await api.signIn(fd.get('username'), fd.get('password'));
    const next = query.get('next');
    go(next && next.startsWith('/') && !next.startsWith('/masuk') ? next : '/antrean', true);
  });
  mount(main, form);
  user.focus();
}
