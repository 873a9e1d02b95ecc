-- 0060: the W3C trace parent of the request that stored a row, so the worker that acts on it later continues the same
-- trace (intake → processing → grant delivery → Flash). Null for rows stored before this or without a trace.
ALTER TABLE inbox_events ADD COLUMN trace_parent varchar(55) NULL;
ALTER TABLE credit_grants ADD COLUMN trace_parent varchar(55) NULL;
