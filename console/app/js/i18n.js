// i18n.js — every string of the console, one table per language (Bahasa
// Indonesia first, the default; English), and the date formats of the
// business calendar's zone (WITA, Asia/Makassar) in Indonesian style.
const id = {
  app: 'Konsol Layanan Aplikasi', org: 'Dinas Kominfos Provinsi Bali',
  signin: 'Masuk', signout: 'Keluar', username: 'Nama pengguna', password: 'Kata sandi',
  signin_title: 'Masuk ke konsol', signing_in: 'Sedang masuk…',
  err_credentials: 'Nama pengguna atau kata sandi salah.',
  err_throttled: 'Terlalu banyak percobaan yang gagal. Coba lagi dalam {s} detik.',
  err_busy: 'Server sedang sibuk memeriksa kata sandi. Coba lagi sebentar lagi.',
  err_expired: 'Sesi Anda telah berakhir. Silakan masuk kembali.',
  err_network: 'Tidak dapat menghubungi server.',
  err_forbidden: 'Anda tidak berwenang melakukan tindakan ini.',
  err_conflict: 'Data telah berubah oleh orang lain. Muat ulang dan coba lagi.',
  err_generic: 'Terjadi kesalahan: {d}',
  nav_queue: 'Antrean saya', nav_requests: 'Permohonan', nav_new: 'Permohonan baru', nav_dashboard: 'Dasbor SLA',
  nav_admin: 'Administrasi', lang: 'Bahasa', skip: 'Lewati ke isi',
  queue_title: 'Antrean saya', queue_empty: 'Tidak ada yang menunggu Anda.', queue_live: 'Diperbarui otomatis',
  g_dispositions: 'Disposisi', g_to_submit: 'Draf untuk diajukan', g_to_register: 'Untuk diregistrasi',
  g_to_dispose: 'Untuk didisposisikan', g_to_derive: 'Untuk Disposisi Turunan', g_to_discuss: 'Untuk dibahas',
  g_to_complete: 'Kelengkapan yang diminta', g_to_conclude: 'Untuk diselesaikan', g_signatures: 'Berita Acara untuk ditandatangani',
  g_surat_tugas: 'Surat Tugas',
  sla_on_time: 'Tepat waktu', sla_warning: 'Peringatan', sla_breached: 'Terlambat', sla_paused: 'Dijeda',
  sla_done_on_time: 'Selesai tepat waktu', sla_done_late: 'Selesai terlambat',
  left: 'sisa {t} jam', over: 'lewat {t} jam', left_working: 'sisa {t} jam kerja', over_working: 'lewat {t} jam kerja', due: 'Batas', warn: 'Peringatan',
  list_title: 'Daftar permohonan', f_status: 'Status', f_step: 'Langkah', f_agency: 'Perangkat Daerah',
  f_sla: 'Status SLA', f_from: 'Dari tanggal', f_to: 'Sampai tanggal', f_q: 'Cari', any: 'Semua', apply: 'Terapkan',
  more: 'Muat lebih banyak', none: 'Tidak ada permohonan.',
  c_title: 'Judul', c_agency: 'Perangkat Daerah', c_status: 'Status', c_step: 'Langkah', c_agenda: 'No. agenda',
  c_due: 'Batas waktu', c_sla: 'SLA',
  st_draft: 'Draf', st_submitted: 'Diajukan', st_awaiting_disposition: 'Menunggu Disposisi', st_disposed: 'Didisposisikan',
  st_in_discussion: 'Dalam pembahasan', st_awaiting_pd_completion: 'Menunggu Kelengkapan PD', st_agreed: 'Disepakati',
  st_completed: 'Selesai', st_withdrawn: 'Ditarik', st_rejected: 'Ditolak',
  ph_awal: 'Diskusi Awal', ph_lanjutan: 'Diskusi Lanjutan', ph_final: 'Diskusi Final',
  step: 'Langkah {n}', s1: 'Permohonan', s2: 'Disposisi', s3: 'Disposisi Turunan', s4: 'Diskusi Awal',
  s5: 'Diskusi Lanjutan', s6: 'Diskusi Final', s7: 'Berita Acara / Surat Tugas',
  waiting_on: 'Menunggu', w_pd: 'Perangkat Daerah', w_sekretariat: 'Sekretariat', w_kepala_dinas: 'Kepala Dinas',
  w_kabid_iai: 'Kabid IAI', w_kasi_ai: 'Kasi AI', w_tim_spbe: 'Tim SPBE', w_kasi_and_team: 'Kasi dan Tim SPBE', w_nobody: '—',
  actions: 'Tindakan', a_submit: 'Ajukan permohonan', a_register: 'Registrasi (beri nomor agenda)',
  a_dispose: 'Disposisikan ke Kabid', a_derive: 'Disposisi Turunan ke Kasi', a_record_awal: 'Catat Diskusi Awal',
  a_record_awal_incomplete: 'Catat Diskusi Awal (kelengkapan kurang)', a_pd_complete: 'Kirim kelengkapan',
  a_record_lanjutan: 'Catat Diskusi Lanjutan', a_record_final: 'Catat Diskusi Final', a_issue_st: 'Terbitkan Surat Tugas',
  a_withdraw: 'Tarik permohonan', a_reject: 'Tolak permohonan', no_actions: 'Tidak ada tindakan untuk Anda saat ini.',
  done: 'Tersimpan.', cancel: 'Batal', save: 'Simpan', send: 'Kirim',
  timeline: 'Linimasa', started: 'Mulai', completed_at: 'Selesai', waited: 'Waktu tunggu per pihak',
  documents: 'Dokumen', upload: 'Unggah', doc_type: 'Jenis dokumen', file: 'Berkas', download: 'Unduh', uploading: 'Mengunggah… {p}%',
  dt_surat_permohonan: 'Surat Permohonan', dt_proses_bisnis: 'Dokumen Proses Bisnis', dt_dokumen_awal: 'Dokumen Awal',
  dt_laporan_lanjutan: 'Laporan Lanjutan', dt_dokumen_kesepakatan: 'Dokumen Kesepakatan', dt_berita_acara: 'Berita Acara',
  dt_surat_tugas: 'Surat Tugas', dt_lainnya: 'Lainnya',
  dispositions: 'Disposisi', read: 'Dibaca', unread: 'Belum dibaca', mark_read: 'Tandai dibaca', to: 'Kepada', from: 'Dari',
  instruction: 'Instruksi', instruction_kind: 'Jenis instruksi', ik_tindak_lanjuti: 'Tindak lanjuti',
  ik_untuk_diketahui: 'Untuk diketahui', ik_koordinasikan: 'Koordinasikan',
  discussions: 'Diskusi', held_at: 'Waktu pelaksanaan', place: 'Tempat', attendees: 'Peserta', minutes: 'Notulen',
  decisions: 'Keputusan', checklist: 'Kelengkapan', ck_alur_sistem: 'Alur sistem', ck_data_input_output: 'Data input/output',
  ck_mekanisme_validasi: 'Mekanisme validasi', ck_role_pengguna: 'Role pengguna', ck_mekanisme_pelaporan: 'Mekanisme pelaporan',
  ck_proses_bisnis_terkait: 'Proses bisnis terkait', cs_complete: 'Lengkap', cs_incomplete: 'Belum lengkap',
  cs_not_applicable: 'Tidak berlaku', note: 'Catatan', scope: 'Ruang lingkup', features: 'Fitur (satu per baris)',
  milestones: 'Jadwal', ms_name: 'Tahap', ms_start: 'Mulai', ms_end: 'Selesai', add_row: 'Tambah baris',
  completions: 'Kelengkapan dari PD', completion_note: 'Penjelasan untuk {item}',
  ba: 'Berita Acara', ba_create: 'Buat draf Berita Acara', ba_send: 'Kirim untuk ditandatangani', ba_sign: 'Tanda tangani',
  ba_hash: 'Sidik isi (SHA-256)', preview: 'Pratinjau', ba_status_draft: 'Draf', ba_status_awaiting_signatures: 'Menunggu tanda tangan',
  ba_status_signed: 'Ditandatangani', signatures: 'Tanda tangan', ba_signed_by: 'Ditandatangani oleh {n}',
  st: 'Surat Tugas', st_members: 'Anggota tim', purpose: 'Tujuan', reason: 'Alasan',
  new_title: 'Permohonan baru', kind: 'Jenis', k_pembangunan: 'Pembangunan', k_pengembangan: 'Pengembangan', k_integrasi: 'Integrasi',
  description: 'Uraian', letter_number: 'Nomor surat', letter_date: 'Tanggal surat', create: 'Buat draf',
  docs_needed: 'Lampirkan Surat Permohonan dan Dokumen Proses Bisnis, lalu ajukan.',
  dash_title: 'Dasbor SLA', overdue: 'Langkah yang terlambat', compliance_step: 'Kepatuhan per langkah',
  compliance_agency: 'Kepatuhan per Perangkat Daerah', delay: 'Atribusi keterlambatan', period: 'Periode',
  count: 'Jumlah', met: 'Tepat', breached: 'Terlambat', compliance: 'Kepatuhan', show_numbers: 'Tampilkan angka',
  admin_title: 'Administrasi', users: 'Pengguna', agencies: 'Perangkat Daerah', clients: 'Klien mesin', webhooks: 'Webhook',
  policy: 'Kebijakan SLA', holidays: 'Hari libur', loading: 'Memuat…', not_found: 'Halaman tidak ditemukan.', back: 'Kembali',
  me: 'Saya', role_kepala_dinas: 'Kepala Dinas', role_sekretariat: 'Sekretariat', role_kabid_iai: 'Kabid IAI',
  role_kasi_ai: 'Kasi AI', role_tim_spbe: 'Tim SPBE', role_pd: 'Perangkat Daerah', role_admin: 'Administrator', role_auditor: 'Auditor',
  agenda: 'No. agenda', letter: 'Surat', scroll_table: 'Tabel (dapat digeser)',
  edit: 'Ubah', editing: 'Ubah {x}', active: 'Aktif', full_name: 'Nama lengkap', position: 'Jabatan', role: 'Peran',
  signatory: 'Penanda tangan PD', code: 'Kode', name: 'Nama', head_name: 'Kepala',
  write_scope: 'Cakupan tulis', revoke: 'Cabut', revoked: 'Dicabut', new_client: 'Klien mesin baru',
  new_webhook: 'Webhook baru', event_types: 'Jenis event (dipisah koma)', enabled: 'Aktif', url: 'URL',
  rotate_secret: 'Ganti rahasia', replay: 'Kirim ulang', replay_from: 'Dari (WITA)', replay_to: 'Sampai (WITA)',
  delete: 'Hapus', secret_once: 'Rahasia ini ditampilkan sekali saja; simpan sekarang:', replayed: '{n} pengiriman diantrekan.',
  status: 'Status', disabled: 'Nonaktif', event_types_short: 'Event', pause_on_pd: 'Jeda saat menunggu PD', clock: 'Jam',
  clock_working_time: 'Jam kerja', clock_working_days: 'Hari kerja', clock_calendar: 'Kalender', publish: 'Terbitkan versi baru',
  holiday_lines: 'Satu per baris: TTTT-BB-HH;nama;jenis', holiday_kinds: 'jenis: national | collective_leave | regional',
  date: 'Tanggal', holiday_kind: 'Jenis', import: 'impor', hk_national: 'Libur nasional', hk_collective_leave: 'Cuti bersama',
  hk_regional: 'Libur daerah',
};
const en = {
  app: 'Application Service Console', org: 'Bali Province Communications Agency',
  signin: 'Sign in', signout: 'Sign out', username: 'Username', password: 'Password',
  signin_title: 'Sign in to the console', signing_in: 'Signing in…',
  err_credentials: 'Wrong username or password.',
  err_throttled: 'Too many failed attempts. Try again in {s} seconds.',
  err_busy: 'The server is busy checking passwords. Try again in a moment.',
  err_expired: 'Your session has ended. Please sign in again.',
  err_network: 'The server cannot be reached.',
  err_forbidden: 'You may not do this.',
  err_conflict: 'Someone else changed this. Reload and try again.',
  err_generic: 'Something went wrong: {d}',
  nav_queue: 'My queue', nav_requests: 'Requests', nav_new: 'New request', nav_dashboard: 'SLA dashboard',
  nav_admin: 'Administration', lang: 'Language', skip: 'Skip to content',
  queue_title: 'My queue', queue_empty: 'Nothing waits on you.', queue_live: 'Updates by itself',
  g_dispositions: 'Dispositions', g_to_submit: 'Drafts to submit', g_to_register: 'To register',
  g_to_dispose: 'To dispose', g_to_derive: 'For a derived disposition', g_to_discuss: 'To discuss',
  g_to_complete: 'Completions asked of you', g_to_conclude: 'To conclude', g_signatures: 'Berita Acara to sign',
  g_surat_tugas: 'Surat Tugas',
  sla_on_time: 'On time', sla_warning: 'Warning', sla_breached: 'Breached', sla_paused: 'Paused',
  sla_done_on_time: 'Done on time', sla_done_late: 'Done late',
  left: '{t} h left', over: '{t} h over', left_working: '{t} working hours left', over_working: '{t} working hours over', due: 'Due', warn: 'Warning',
  list_title: 'Requests', f_status: 'Status', f_step: 'Step', f_agency: 'Agency',
  f_sla: 'SLA state', f_from: 'From', f_to: 'To', f_q: 'Search', any: 'Any', apply: 'Apply',
  more: 'Load more', none: 'No requests.',
  c_title: 'Title', c_agency: 'Agency', c_status: 'Status', c_step: 'Step', c_agenda: 'Agenda no.',
  c_due: 'Due', c_sla: 'SLA',
  st_draft: 'Draft', st_submitted: 'Submitted', st_awaiting_disposition: 'Awaiting disposition', st_disposed: 'Disposed',
  st_in_discussion: 'In discussion', st_awaiting_pd_completion: 'Awaiting the agency\'s completion', st_agreed: 'Agreed',
  st_completed: 'Completed', st_withdrawn: 'Withdrawn', st_rejected: 'Rejected',
  ph_awal: 'Initial discussion', ph_lanjutan: 'Follow-up discussion', ph_final: 'Final discussion',
  step: 'Step {n}', s1: 'Request', s2: 'Disposition', s3: 'Derived disposition', s4: 'Initial discussion',
  s5: 'Follow-up discussion', s6: 'Final discussion', s7: 'Berita Acara / Surat Tugas',
  waiting_on: 'Waiting on', w_pd: 'The agency', w_sekretariat: 'Secretariat', w_kepala_dinas: 'Kepala Dinas',
  w_kabid_iai: 'Kabid IAI', w_kasi_ai: 'Kasi AI', w_tim_spbe: 'Tim SPBE', w_kasi_and_team: 'Kasi and team', w_nobody: '—',
  actions: 'Actions', a_submit: 'Submit the request', a_register: 'Register (agenda number)',
  a_dispose: 'Dispose to the Kabid', a_derive: 'Derived disposition to the Kasi', a_record_awal: 'Record the initial discussion',
  a_record_awal_incomplete: 'Record the initial discussion (incomplete)', a_pd_complete: 'Send the completion',
  a_record_lanjutan: 'Record the follow-up discussion', a_record_final: 'Record the final discussion', a_issue_st: 'Issue a Surat Tugas',
  a_withdraw: 'Withdraw the request', a_reject: 'Reject the request', no_actions: 'Nothing for you to do now.',
  done: 'Saved.', cancel: 'Cancel', save: 'Save', send: 'Send',
  timeline: 'Timeline', started: 'Started', completed_at: 'Completed', waited: 'Waiting time per party',
  documents: 'Documents', upload: 'Upload', doc_type: 'Document type', file: 'File', download: 'Download', uploading: 'Uploading… {p}%',
  dt_surat_permohonan: 'Request letter', dt_proses_bisnis: 'Business-process document', dt_dokumen_awal: 'Initial document',
  dt_laporan_lanjutan: 'Follow-up report', dt_dokumen_kesepakatan: 'Agreement document', dt_berita_acara: 'Berita Acara',
  dt_surat_tugas: 'Surat Tugas', dt_lainnya: 'Other',
  dispositions: 'Dispositions', read: 'Read', unread: 'Unread', mark_read: 'Mark as read', to: 'To', from: 'From',
  instruction: 'Instruction', instruction_kind: 'Instruction kind', ik_tindak_lanjuti: 'Follow up',
  ik_untuk_diketahui: 'For information', ik_koordinasikan: 'Coordinate',
  discussions: 'Discussions', held_at: 'Held at', place: 'Place', attendees: 'Attendees', minutes: 'Minutes',
  decisions: 'Decisions', checklist: 'Completeness', ck_alur_sistem: 'System flow', ck_data_input_output: 'Data input/output',
  ck_mekanisme_validasi: 'Validation mechanism', ck_role_pengguna: 'User roles', ck_mekanisme_pelaporan: 'Reporting mechanism',
  ck_proses_bisnis_terkait: 'Related processes', cs_complete: 'Complete', cs_incomplete: 'Incomplete',
  cs_not_applicable: 'Not applicable', note: 'Note', scope: 'Scope', features: 'Features (one per line)',
  milestones: 'Timeline', ms_name: 'Milestone', ms_start: 'Start', ms_end: 'End', add_row: 'Add a row',
  completions: 'Completions from the agency', completion_note: 'Explanation for {item}',
  ba: 'Berita Acara', ba_create: 'Draft the Berita Acara', ba_send: 'Send for signature', ba_sign: 'Sign',
  ba_hash: 'Content hash (SHA-256)', preview: 'Preview', ba_status_draft: 'Draft', ba_status_awaiting_signatures: 'Awaiting signatures',
  ba_status_signed: 'Signed', signatures: 'Signatures', ba_signed_by: 'Signed by {n}',
  st: 'Surat Tugas', st_members: 'Team members', purpose: 'Purpose', reason: 'Reason',
  new_title: 'New request', kind: 'Kind', k_pembangunan: 'New build', k_pengembangan: 'Development', k_integrasi: 'Integration',
  description: 'Description', letter_number: 'Letter number', letter_date: 'Letter date', create: 'Create the draft',
  docs_needed: 'Attach the request letter and the business-process document, then submit.',
  dash_title: 'SLA dashboard', overdue: 'Overdue steps', compliance_step: 'Compliance per step',
  compliance_agency: 'Compliance per agency', delay: 'Delay attribution', period: 'Period',
  count: 'Count', met: 'Met', breached: 'Breached', compliance: 'Compliance', show_numbers: 'Show the numbers',
  admin_title: 'Administration', users: 'Users', agencies: 'Agencies', clients: 'Machine clients', webhooks: 'Webhooks',
  policy: 'SLA policy', holidays: 'Holidays', loading: 'Loading…', not_found: 'Page not found.', back: 'Back',
  me: 'Me', role_kepala_dinas: 'Kepala Dinas', role_sekretariat: 'Secretariat', role_kabid_iai: 'Kabid IAI',
  role_kasi_ai: 'Kasi AI', role_tim_spbe: 'Tim SPBE', role_pd: 'Agency staff', role_admin: 'Administrator', role_auditor: 'Auditor',
  agenda: 'Agenda no.', letter: 'Letter', scroll_table: 'Table (scrolls)',
  edit: 'Edit', editing: 'Edit {x}', active: 'Active', full_name: 'Full name', position: 'Position', role: 'Role',
  signatory: 'Agency signatory', code: 'Code', name: 'Name', head_name: 'Head',
  write_scope: 'Write scope', revoke: 'Revoke', revoked: 'Revoked', new_client: 'New machine client',
  new_webhook: 'New webhook', event_types: 'Event types (comma-separated)', enabled: 'Enabled', url: 'URL',
  rotate_secret: 'Rotate the secret', replay: 'Replay', replay_from: 'From (WITA)', replay_to: 'To (WITA)',
  delete: 'Delete', secret_once: 'This secret is shown only once; keep it now:', replayed: '{n} deliveries queued.',
  status: 'Status', disabled: 'Disabled', event_types_short: 'Events', pause_on_pd: 'Pause while awaiting the agency', clock: 'Clock',
  clock_working_time: 'Working time', clock_working_days: 'Working days', clock_calendar: 'Calendar', publish: 'Publish a new version',
  holiday_lines: 'One per line: YYYY-MM-DD;name;kind', holiday_kinds: 'kind: national | collective_leave | regional',
  date: 'Date', holiday_kind: 'Kind', import: 'import', hk_national: 'National holiday', hk_collective_leave: 'Collective leave',
  hk_regional: 'Regional holiday',
};
const tables = { id, en };
let lang = 'id';
try { lang = localStorage.getItem('alurd.lang') === 'en' ? 'en' : 'id'; } catch { /* storage off: default */ }

export function getLang() { return lang; }
export function setLang(l) {
  lang = l === 'en' ? 'en' : 'id';
  try { localStorage.setItem('alurd.lang', lang); } catch { /* ignore */ }
  document.documentElement.lang = lang;
}
export function t(key, vars) {
  let s = tables[lang][key] ?? tables.id[key] ?? key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace(`{${k}}`, v);
  return s;
}

export const ZONE = 'Asia/Makassar';
const locale = () => (lang === 'en' ? 'en-GB' : 'id-ID');
export function fmtDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, day: '2-digit', month: 'short', year: 'numeric',
    hour: '2-digit', minute: '2-digit', hour12: false }).format(d) + ' WITA';
}
export function fmtDate(iso) {
  if (!iso) return '—';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00+08:00`) : new Date(iso);
  return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, day: 'numeric', month: 'long', year: 'numeric' }).format(d);
}
// "now" as the value of a datetime-local input, in WITA.
export function nowLocalInput() {
  const p = new Intl.DateTimeFormat('sv-SE', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date());
  return p.replace(' ', 'T');
}
export function hours(seconds) {
  return (Math.round((seconds / 3600) * 10) / 10).toLocaleString(locale());
}
