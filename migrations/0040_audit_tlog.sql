-- The tamper-evident log over audit_log (RFC 6962 Merkle tree; see README
-- "The audit log"). An AFTER INSERT trigger queues every new audit row in
-- audit_tlog_pending, inside the writer's transaction, so only committed rows
-- are ever seen there; a background sequencer (one at a time, under an
-- advisory lock) gives queued rows consecutive log indexes in the order it
-- finds them committed, stores their leaf hashes and every complete subtree
-- hash, and deletes them from the queue. The cost on the transition path is
-- one small insert. Checkpoints are the signed (tree size, root) notes.
CREATE TABLE audit_tlog_pending (
    audit_id bigint PRIMARY KEY
);

CREATE TABLE audit_tlog (
    idx      bigint PRIMARY KEY CHECK (idx >= 0),
    audit_id bigint NOT NULL UNIQUE
);

-- Complete, aligned subtrees: (level, idx) covers leaves [idx * 2^level,
-- (idx + 1) * 2^level); level 0 holds the leaf hashes.
CREATE TABLE audit_tlog_nodes (
    level smallint NOT NULL CHECK (level BETWEEN 0 AND 63),
    idx   bigint NOT NULL CHECK (idx >= 0),
    hash  bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);

CREATE TABLE audit_checkpoints (
    tree_size  bigint PRIMARY KEY CHECK (tree_size >= 0),
    root_hash  bytea NOT NULL CHECK (length(root_hash) = 32),
    note       text NOT NULL,
    key_name   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION audit_tlog_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_tlog_pending (audit_id) VALUES (NEW.id);
    RETURN NULL;
END $$;

CREATE TRIGGER audit_log_enqueue AFTER INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_tlog_enqueue();

-- Rows written before this migration join the log too, in id order.
INSERT INTO audit_tlog_pending (audit_id) SELECT id FROM audit_log;

-- The log and its checkpoints are append-only like audit_log itself.
CREATE TRIGGER audit_tlog_no_update BEFORE UPDATE OR DELETE ON audit_tlog
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_tlog_no_truncate BEFORE TRUNCATE ON audit_tlog
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_tlog_nodes_no_update BEFORE UPDATE OR DELETE ON audit_tlog_nodes
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_tlog_nodes_no_truncate BEFORE TRUNCATE ON audit_tlog_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
