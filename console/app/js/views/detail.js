// detail.js — one request: status and the caller's next actions (only the
// ones in allowed_actions, so no button would be refused), the seven steps
// as a timeline, documents, the disposition tree, discussions with the
// kelengkapan checklist, the PD's completion rounds, the Berita Acara and the
// Surat Tugas. Every action is a form posting to the public API; on success
// the screen is drawn again from the API.
import { h, mount, field, select } from '../dom.js';
import { t, fmtDateTime, fmtDate, hours, nowLocalInput } from '../i18n.js';
import * as api from '../api.js';
import { slaBadge, statusLabel, onSubmit, flash, waitingLabel, roleLabel } from '../ui.js';

const CHECK = ['alur_sistem', 'data_input_output', 'mekanisme_validasi', 'role_pengguna', 'mekanisme_pelaporan', 'proses_bisnis_terkait'];
const DOC_TYPES = ['surat_permohonan', 'proses_bisnis', 'dokumen_awal', 'laporan_lanjutan', 'dokumen_kesepakatan', 'lainnya'];
const enc = encodeURIComponent;

function section(id, title, ...body) {
  return h('section', { class: 'card', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...body);
}

function people(list, name, checkedIds = []) {
  return h('fieldset', { class: 'people' }, h('legend', {}, name === 'member' ? t('st_members') : t(name === 'to' ? 'to' : 'attendees')),
    list.map((p) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name, value: p.id, checked: checkedIds.includes(p.id) }),
      ` ${p.full_name} (${roleLabel(p.role)})`)));
}

const dir = {};
async function directory(role) {
  if (!dir[role]) dir[role] = (await api.get(`/directory?role=${role}&limit=200`)).items;
  return dir[role];
}

function heldAtIso(local) {
  return `${local.length === 16 ? `${local}:00` : local}+08:00`;
}

function checklistFields(incompleteFirst) {
  return h('fieldset', { class: 'checklist' }, h('legend', {}, t('checklist')),
    CHECK.map((k, i) => h('div', { class: 'ck-row' },
      field(t(`ck_${k}`), select(`ck_${k}`, [['complete', t('cs_complete')], ['incomplete', t('cs_incomplete')], ['not_applicable', t('cs_not_applicable')]],
        incompleteFirst && i === 2 ? 'incomplete' : 'complete')),
      field(`${t('note')} — ${t(`ck_${k}`)}`, h('input', { name: `note_${k}` })))));
}

function milestoneRows(initial) {
  const body = h('tbody', {});
  const add = (m = {}) => body.append(h('tr', {},
    h('td', {}, h('input', { name: 'ms_name', 'aria-label': t('ms_name'), value: m.name || '' })),
    h('td', {}, h('input', { name: 'ms_start', type: 'date', 'aria-label': t('ms_start'), value: m.start || '' })),
    h('td', {}, h('input', { name: 'ms_end', type: 'date', 'aria-label': t('ms_end'), value: m.end || '' }))));
  (initial && initial.length ? initial : [{}]).forEach(add);
  return h('fieldset', { class: 'milestones' }, h('legend', {}, t('milestones')),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('ms_name')), h('th', {}, t('ms_start')), h('th', {}, t('ms_end')))), body),
    h('button', { type: 'button', class: 'link', onclick: () => add() }, t('add_row')));
}

function readMilestones(fd) {
  const n = fd.getAll('ms_name'), s = fd.getAll('ms_start'), e = fd.getAll('ms_end');
  return n.map((name, i) => ({ name, start: s[i], end: e[i] })).filter((m) => m.name);
}
function readScope(fd) {
  return { summary: fd.get('scope_summary'), features: String(fd.get('features') || '').split('\n').map((x) => x.trim()).filter(Boolean) };
}
function scopeFields(scope) {
  return [field(t('scope'), h('textarea', { name: 'scope_summary', required: true, rows: 2 }, scope ? scope.summary : '')),
    field(t('features'), h('textarea', { name: 'features', rows: 3 }, scope ? (scope.features || []).join('\n') : ''))];
}

function myDisposition(tree, meId) {
  let found = null;
  const walk = (list) => list.forEach((d) => {
    if (!d.withdrawn_at && (d.to_user_ids || []).includes(meId)) found = d;
    walk(d.children || []);
  });
  walk(tree);
  return found;
}

async function actionForm(action, ctx) {
  const { r, id, reload, me } = ctx;
  const path = `/requests/${id}`;
  const done = async (what) => { await what; flash(t('done'), 'ok'); await reload(); };
  const form = (children, fn) => onSubmit(h('form', { class: 'action-form', 'data-action': action },
    h('h3', {}, t(`a_${action}`)), children, h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t(`a_${action}`)),
      h('button', { type: 'button', onclick: () => reload() }, t('cancel')))), fn);
  switch (action) {
    case 'submit': case 'register': case 'withdraw':
      return form([], () => done(api.post(`${path}/${action}`, {})));
    case 'reject':
      return form([field(t('reason'), h('textarea', { name: 'reason', required: true }))],
        (fd) => done(api.post(`${path}/reject`, { reason: fd.get('reason') })));
    case 'dispose': case 'derive': {
      const derive = action === 'derive';
      const to = await directory(derive ? 'kasi_ai' : 'kabid_iai');
      const parent = derive ? myDisposition((await api.get(`${path}/dispositions`)).items, me.id) : null;
      return form([people(to, 'to', to.length === 1 ? [to[0].id] : []),
        field(t('instruction_kind'), select('instruction_kind', ['tindak_lanjuti', 'koordinasikan', 'untuk_diketahui'].map((k) => [k, t(`ik_${k}`)]), derive ? 'koordinasikan' : 'tindak_lanjuti')),
        field(t('instruction'), h('textarea', { name: 'instruction', required: true }))],
      (fd) => done(api.post(`${path}/dispositions`, {
        to_user_ids: fd.getAll('to'), instruction_kind: fd.get('instruction_kind'), instruction: fd.get('instruction'),
        ...(parent ? { parent_id: parent.id } : {}) })));
    }
    case 'record_awal': case 'record_awal_incomplete': case 'record_lanjutan': case 'record_final': {
      const phase = action.startsWith('record_awal') ? 'awal' : action.slice(7);
      const team = [...(await directory('kasi_ai')), ...(await directory('tim_spbe'))];
      const fields = [
        field(t('held_at'), h('input', { type: 'datetime-local', name: 'held_at', required: true, value: nowLocalInput() }), 'WITA'),
        field(t('place'), h('input', { name: 'place', value: 'Ruang Rapat Dinas Kominfos' })),
        people(team, 'attendee', [me.id]),
        field(t('minutes'), h('textarea', { name: 'minutes', rows: 3 })),
        field(t('decisions'), h('textarea', { name: 'decisions', rows: 2 })),
      ];
      if (phase === 'awal') fields.push(checklistFields(action === 'record_awal_incomplete'));
      if (phase === 'final') fields.push(...scopeFields(null), milestoneRows());
      return form(fields, (fd) => {
        const body = { phase, held_at: heldAtIso(fd.get('held_at')), place: fd.get('place') || null,
          attendees: fd.getAll('attendee').map((u) => ({ user_id: u })), minutes: fd.get('minutes'), decisions: fd.get('decisions') };
        if (phase === 'awal') body.checklist = Object.fromEntries(CHECK.map((k) => [k, { status: fd.get(`ck_${k}`), note: fd.get(`note_${k}`) || '' }]));
        if (phase === 'final') { body.scope = readScope(fd); body.milestones = readMilestones(fd); }
        return done(api.post(`${path}/discussions`, body));
      });
    }
    case 'pd_complete': {
      const awal = ctx.discussions.filter((d) => d.phase === 'awal').pop();
      const missing = awal ? CHECK.filter((k) => awal.checklist && awal.checklist[k] && awal.checklist[k].status === 'incomplete') : CHECK;
      return form(missing.map((k) => field(t('completion_note', { item: t(`ck_${k}`) }), h('textarea', { name: `c_${k}`, required: true }),
        awal && awal.checklist[k].note ? awal.checklist[k].note : null)),
      (fd) => done(api.post(`${path}/completion`, { notes: Object.fromEntries(missing.map((k) => [k, fd.get(`c_${k}`)])) })));
    }
    case 'issue_st': {
      const team = await directory('tim_spbe');
      return form([people(team, 'member', team.map((p) => p.id)), field(t('purpose'), h('textarea', { name: 'purpose', required: true }))],
        (fd) => done(api.post(`${path}/surat-tugas`, { member_ids: fd.getAll('member'), purpose: fd.get('purpose') })));
    }
    default:
      return h('p', {}, action);
  }
}

function timeline(tl) {
  const w = tl.waiting_working_seconds || {};
  return section('timeline', t('timeline'),
    h('ol', { class: 'steps' }, [1, 2, 3, 4, 5, 6, 7].map((n) => {
      const s = tl.steps.filter((x) => x.step === n).pop();
      return h('li', { class: `step ${s ? (s.completed_at ? 'done' : 'running') : 'future'}`, 'aria-current': s && !s.completed_at ? 'step' : false },
        h('strong', {}, `${t('step', { n })}: ${t(`s${n}`)}`),
        s ? h('div', { class: 'meta' },
          `${t('started')}: ${fmtDateTime(s.started_at)}`,
          s.warn_at ? h('span', { class: 'warnmark' }, ` · ${t('warn')}: ${fmtDateTime(s.warn_at)}`) : null,
          s.due_at ? h('span', { class: 'duemark' }, ` · ${t('due')}: ${fmtDateTime(s.due_at)}`) : null,
          s.completed_at ? ` · ${t('completed_at')}: ${fmtDateTime(s.completed_at)}` : null,
          s.completed_by_user ? ` (${s.completed_by_user.full_name})` : null) : null,
        s ? slaBadge(s.sla_state, s.completed_at ? null : s.due_at, s.completed_at ? null : s.remaining_working_seconds) : null);
    })),
    h('h3', {}, t('waited')),
    h('dl', { class: 'waited' }, Object.entries(w).map(([k, v]) => [h('dt', {}, waitingLabel(k === 'kasi_ai_tim_spbe' ? 'kasi_and_team' : k)), h('dd', {}, `${hours(v)} h`)])));
}

// A PDF shown inside the page, under its button (an iframe on an object
// URL: the console's CSP allows frame-src blob:), with its download beside
// it; the button shows and hides it.
function pdfViewer(path, filename, label) {
  const box = h('div', { class: 'pdf-box' });
  let url = null;
  const btn = h('button', { type: 'button', class: 'link preview', 'aria-expanded': 'false', onclick: async () => {
    if (box.firstChild) { mount(box); btn.setAttribute('aria-expanded', 'false'); return; }
    url = url || await api.blobUrl(path);
    mount(box, h('iframe', { class: 'pdf-preview', src: url, title: label }),
      h('p', {}, h('a', { href: url, download: filename }, `${t('download')} ${filename}`)));
    btn.setAttribute('aria-expanded', 'true');
  } }, `${t('preview')}: ${label}`);
  return [btn, box];
}

async function download(path, filename) {
  const url = await api.blobUrl(path);
  const a = h('a', { href: url, download: filename }); document.body.append(a); a.click(); a.remove();
}

function documents(docs, ctx) {
  const list = h('ul', { class: 'docs' }, docs.map((d) => h('li', {},
    h('span', { class: 'badge' }, t(`dt_${d.type}`)), ' ',
    h('button', { type: 'button', class: 'link', onclick: () => download(`/documents/${d.id}/content`, d.filename) },
      `${d.filename} (${Math.ceil(d.size / 1024)} KiB)`),
    d.content_type === 'application/pdf' ? [' ', ...pdfViewer(`/documents/${d.id}/content`, d.filename, d.filename)] : null,
    h('div', { class: 'hash' }, h('abbr', { title: 'SHA-256' }, 'SHA-256'), ': ', h('code', {}, d.sha256)))));
  const canUpload = !['admin', 'auditor', 'sekretariat'].includes(ctx.me.role) && !['withdrawn', 'rejected', 'completed'].includes(ctx.r.status);
  const progress = h('progress', { max: 100, value: 0, hidden: true });
  const file = h('input', { type: 'file', name: 'file', required: true, accept: '.pdf,.docx,.xlsx,.odt,.png,.jpg,.jpeg' });
  const up = canUpload ? onSubmit(h('form', { class: 'upload', id: 'upload-form' },
    field(t('doc_type'), select('type', DOC_TYPES.map((k) => [k, t(`dt_${k}`)]), docs.some((d) => d.type === 'surat_permohonan') ? 'proses_bisnis' : 'surat_permohonan')),
    field(t('file'), file), progress, h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit' }, t('upload'))), async (fd) => {
    const f = fd.get('file');
    progress.hidden = false;
    await api.upload(`/requests/${ctx.id}/documents?type=${enc(fd.get('type'))}&filename=${enc(f.name)}`, f, (p) => { progress.value = p; });
    flash(t('done'), 'ok');
    await ctx.reload();
  }) : null;
  return section('documents', t('documents'), ctx.r.status === 'draft' ? h('p', { class: 'muted' }, t('docs_needed')) : null, list, up);
}

function dispositionTree(items, ctx) {
  const node = (d) => h('li', { class: d.withdrawn_at ? 'withdrawn' : '' },
    h('div', {}, h('strong', {}, d.from_user ? d.from_user.full_name : '?'), ` → ${(d.to_users || []).map((u) => u.full_name).join(', ')}`),
    h('div', { class: 'meta' }, `${t(`ik_${d.instruction_kind}`)} · ${fmtDateTime(d.created_at)}`),
    h('p', {}, d.instruction),
    h('ul', { class: 'receipts' }, (d.recipients || []).map((x) => h('li', {},
      `${x.user ? x.user.full_name : ''}: `, x.read_at ? `${t('read')} ${fmtDateTime(x.read_at)}` : t('unread'),
      !x.read_at && x.user_id === ctx.me.id && !d.withdrawn_at
        ? h('button', { type: 'button', class: 'small', onclick: async () => { await api.post(`/dispositions/${d.id}/read`, {}); await ctx.reload(); } }, t('mark_read')) : null))),
    d.children && d.children.length ? h('ul', { class: 'tree' }, d.children.map(node)) : null);
  return section('dispositions', t('dispositions'), h('ul', { class: 'tree' }, items.map(node)));
}

function discussionsView(list, completions) {
  return section('discussions', t('discussions'),
    list.map((d) => h('article', { class: 'discussion' },
      h('h3', {}, `${t(`ph_${d.phase}`)}${d.round > 1 ? ` (${d.round})` : ''} — ${fmtDateTime(d.held_at)}`),
      d.place ? h('p', {}, `${t('place')}: ${d.place}`) : null,
      h('p', {}, `${t('attendees')}: ${(d.attendees || []).map((a) => (a.user ? a.user.full_name : a.name || '')).join(', ')}`),
      d.minutes ? h('p', {}, `${t('minutes')}: ${d.minutes}`) : null,
      d.checklist ? h('table', { class: 'checklist' }, h('caption', {}, t('checklist')),
        h('tbody', {}, CHECK.map((k) => h('tr', {}, h('th', { scope: 'row' }, t(`ck_${k}`)),
          h('td', { class: `cs-${d.checklist[k].status}` }, t(`cs_${d.checklist[k].status}`)), h('td', {}, d.checklist[k].note || ''))))) : null,
      d.scope ? h('p', {}, `${t('scope')}: ${d.scope.summary}`) : null)),
    completions.length ? [h('h3', {}, t('completions')), h('ul', {}, completions.map((c) => h('li', {},
      `${fmtDateTime(c.created_at || c.completed_at)}: `, Object.entries(c.notes || {}).map(([k, v]) => `${t(`ck_${k}`)} — ${v}`).join('; '))))] : null);
}

function beritaAcara(ba, ctx) {
  const { me, r } = ctx;
  if (!ba) {
    if (r.status === 'agreed' && me.role === 'kasi_ai')
      return section('ba', t('ba'), h('button', { type: 'button', id: 'ba-create', class: 'primary', onclick: async () => {
        await api.post(`/requests/${ctx.id}/berita-acara`, {}); flash(t('done'), 'ok'); await ctx.reload(); } }, t('ba_create')));
    return null;
  }
  const parts = [
    h('p', {}, h('strong', {}, ba.number || ''), ' · ', fmtDate(ba.date), ' · ', h('span', { class: 'badge', id: 'ba-status' }, t(`ba_status_${ba.status}`))),
    h('p', {}, `${t('scope')}: ${ba.scope ? ba.scope.summary : ''}`),
    h('ul', {}, (ba.milestones || []).map((m) => h('li', {}, `${m.name}: ${fmtDate(m.start)} – ${fmtDate(m.end)}`))),
    ba.content_sha256 ? h('p', { class: 'hash' }, `${t('ba_hash')}: `, h('code', { id: 'ba-hash' }, ba.content_sha256)) : null,
    h('ul', { class: 'signatures' }, (ba.signatures || []).map((s) => h('li', {}, t('ba_signed_by', { n: s.signer ? s.signer.full_name : '' }), ` · ${fmtDateTime(s.signed_at)}`))),
    h('div', { id: 'ba-pdf' }, ...pdfViewer(`/berita-acara/${ba.id}/pdf`, `berita-acara-${ba.number || ba.id}.pdf`, t('ba'))),
  ];
  if (ba.status === 'draft' && me.role === 'kasi_ai') {
    parts.push(onSubmit(h('form', { class: 'ba-edit' }, h('h3', {}, t('ba')), scopeFields(ba.scope), milestoneRows(ba.milestones),
      h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit' }, t('save'))), async (fd) => {
      await api.patch(`/berita-acara/${ba.id}`, { scope: readScope(fd), milestones: readMilestones(fd) }, ba.version);
      flash(t('done'), 'ok'); await ctx.reload();
    }));
    parts.push(h('button', { type: 'button', id: 'ba-send', class: 'primary', onclick: async () => {
      await api.post(`/berita-acara/${ba.id}/send`, {}); flash(t('done'), 'ok'); await ctx.reload(); } }, t('ba_send')));
  }
  const myParty = me.role === 'kepala_dinas' ? 'kominfos' : me.role === 'pd' && me.is_signatory ? 'perangkat_daerah' : null;
  const signed = (ba.signatures || []).some((s) => s.party === myParty);
  if (ba.status === 'awaiting_signatures' && myParty && !signed)
    parts.push(h('button', { type: 'button', id: 'ba-sign', class: 'primary', onclick: async () => {
      await api.post(`/berita-acara/${ba.id}/signatures`, { content_sha256: ba.content_sha256 }); flash(t('done'), 'ok'); await ctx.reload(); } },
    `${t('ba_sign')} (SHA-256 ${ba.content_sha256.slice(0, 12)}…)`));
  return section('ba', t('ba'), parts);
}

function suratTugas(list) {
  if (!list.length) return null;
  return section('st', t('st'), h('ul', {}, list.map((s) => h('li', { class: 'st-item' },
    h('strong', {}, s.number), ` · ${fmtDate(s.date)} · ${s.purpose} · `,
    `${t('st_members')}: ${(s.members || []).map((m) => m.full_name).join(', ')}`))));
}

export async function detailView(main, { params }) {
  const id = params[0];
  const me = api.currentUser();
  const ctx = { id, me };
  ctx.reload = async () => {
    const base = `/requests/${id}`;
    const r = await api.get(base);
    const [tl, docs, discussions, completions, disp, baEvents, sts] = await Promise.all([
      api.get(`${base}/timeline`), api.get(`${base}/documents`), api.get(`${base}/discussions`),
      api.get(`${base}/completions`), me.role === 'pd' ? null : api.get(`${base}/dispositions`),
      api.get(`/events?request_id=${id}&type=berita_acara.drafted&limit=1`), api.get(`${base}/surat-tugas`)]);
    const ba = baEvents.items.length ? await api.get(`${base}/berita-acara`) : null;
    Object.assign(ctx, { r, discussions: discussions.items });
    const panel = h('div', { id: 'action-panel' });
    const actions = (r.allowed_actions || []).map((a) => h('button', { type: 'button', class: 'action', 'data-action': a, onclick: async () => {
      mount(panel, await actionForm(a, ctx)); const first = panel.querySelector('input, select, textarea, button'); if (first) first.focus();
    } }, t(`a_${a}`)));
    mount(main,
      h('p', {}, h('a', { href: '/permohonan' }, `← ${t('nav_requests')}`)),
      h('h1', {}, r.title),
      h('p', { class: 'status-line' }, h('span', { class: 'badge', id: 'status', 'data-status': r.status === 'in_discussion' ? `${r.status}/${r.phase}` : r.status, 'data-version': String(r.version) }, statusLabel(r)), ' ',
        `${t('waiting_on')}: ${waitingLabel(r.waiting_on)}`, r.agenda_number ? ` · ${t('agenda')}: ${r.agenda_number}` : '',
        ` · ${t(`k_${r.kind}`)}`),
      r.description ? h('p', {}, r.description) : null,
      section('actions', t('actions'), actions.length ? h('div', { class: 'buttons' }, actions) : h('p', { class: 'muted' }, t('no_actions')), panel),
      timeline(tl), documents(docs.items, ctx), disp ? dispositionTree(disp.items, ctx) : null,
      discussions.items.length || completions.items.length ? discussionsView(discussions.items, completions.items) : null,
      beritaAcara(ba, ctx), suratTugas(sts.items || []));
  };
  await ctx.reload();
}
