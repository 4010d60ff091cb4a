-- Ids a caller chooses for its messages (ports.Message.ID), so that an add whose
-- answer was lost can be settled by its id, and an add made twice stores one
-- message. The bigint id stays the key of every message; a message added with an
-- id of its caller's answers to that one instead. Adding the column is a change of
-- the catalogue only (no default), and existing rows have none.
ALTER TABLE pwreset_outbox ADD COLUMN chosen_id text UNIQUE;
