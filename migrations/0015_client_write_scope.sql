-- How far a machine client's writes reach. 'own' (the default, also for the
-- clients that exist): only the requests it submitted itself (requests.client_id
-- is this client). 'visible': every request it may see (its agency's, or all for
-- a client bound to none). Only an administrator changes it. Reading is not
-- affected.
ALTER TABLE clients
    ADD COLUMN write_scope text NOT NULL DEFAULT 'own' CHECK (write_scope IN ('own', 'visible'));
