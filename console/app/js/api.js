// api.js — the only door to alurd's public API. The access token lives in
// this module's memory only (never in storage); the refresh token is in an
// HttpOnly cookie the page cannot read, so a reload signs in again through
// POST /auth/refresh with the readable CSRF cookie echoed as X-CSRF-Token.
const BASE = '/api/v1';
let access = null;
let me = null;
let refreshing = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.code = this.problem.code || '';
  }
}

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)alurd_csrf=([^;]+)/);
  return m ? m[1] : '';
}

async function parse(res) {
  const type = res.headers.get('Content-Type') || '';
  // an empty answer is read all the same: an unread body keeps the request
  // open until it is cancelled (the browser reports it as aborted)
  if (res.status === 204 || res.status === 304) { await res.arrayBuffer(); return null; }
  if (type.includes('json')) return res.json();
  if (!res.ok) { await res.arrayBuffer(); return null; }
  return res.blob();
}

async function raw(method, path, { json, body, type, headers = {}, auth = true, signal } = {}) {
  const h = { ...headers };
  if (auth && access) h.Authorization = `Bearer ${access}`;
  let payload = body;
  if (json !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(json);
  } else if (type) {
    h['Content-Type'] = type;
  }
  const res = await fetch(BASE + path, { method, headers: h, body: payload, credentials: 'same-origin', signal });
  const data = await parse(res);
  if (!res.ok) {
    const err = new ApiError(res.status, data instanceof Blob ? null : data);
    err.retryAfter = Number(res.headers.get('Retry-After')) || 0;
    throw err;
  }
  return { data, res };
}

export async function call(method, path, opts = {}) {
  try {
    return (await raw(method, path, opts)).data;
  } catch (e) {
    if (e.status === 401 && opts.auth !== false && !opts.retried && (await refresh())) return call(method, path, { ...opts, retried: true });
    throw e;
  }
}
export const get = (p) => call('GET', p);
export const post = (p, json = {}) => call('POST', p, { json });
export const patch = (p, json, version) => call('PATCH', p, { json, headers: version ? { 'If-Match': `"${version}"` } : {} });

async function loadMe() {
  me = (await raw('GET', '/me')).data;
  return me;
}

export async function signIn(username, password) {
  const { data } = await raw('POST', '/auth/login', { json: { username, password, cookie: true }, auth: false });
  access = data.access_token;
  return loadMe();
}

// One refresh at a time: concurrent 401s wait for the same one.
export function refresh() {
  if (!csrf()) return Promise.resolve(false);
  if (!refreshing) {
    refreshing = raw('POST', '/auth/refresh', { json: {}, headers: { 'X-CSRF-Token': csrf() }, auth: false })
      .then(({ data }) => { access = data.access_token; return true; })
      .catch(() => { access = null; return false; })
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

export async function restore() {
  if (!(await refresh())) return null;
  try { return await loadMe(); } catch { return null; }
}

export async function signOut() {
  try {
    if (csrf()) await raw('POST', '/auth/logout', { json: {}, headers: { 'X-CSRF-Token': csrf() }, auth: false });
  } finally {
    access = null;
    me = null;
  }
}

export function currentUser() { return me; }

// Upload with progress (fetch has none): XMLHttpRequest, same token.
export function upload(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', BASE + path);
    x.setRequestHeader('Authorization', `Bearer ${access}`);
    x.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    x.upload.onprogress = (ev) => ev.lengthComputable && onProgress && onProgress(Math.round((ev.loaded / ev.total) * 100));
    x.onload = () => {
      let data = null;
      try { data = JSON.parse(x.responseText); } catch { /* not JSON */ }
      if (x.status >= 200 && x.status < 300) resolve(data);
      else reject(new ApiError(x.status, data));
    };
    x.onerror = () => reject(new ApiError(0, null));
    x.send(file);
  });
}

// A binary resource (PDF, document) as an object URL the page may open.
export async function blobUrl(path) {
  const blob = await call('GET', path);
  return URL.createObjectURL(blob);
}
