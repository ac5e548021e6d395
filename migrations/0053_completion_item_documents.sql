-- A completion answers each item its initial discussion marked incomplete
-- with a note and/or documents: item_documents maps a checklist item to the
-- ids of this request's documents that answer it ({} when none). Existing
-- completions answered with notes only.
ALTER TABLE completions ADD COLUMN item_documents jsonb NOT NULL DEFAULT '{}';
