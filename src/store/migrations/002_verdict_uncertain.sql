-- Why a missing verdict is flagged "osäker – granskas" (low coverage or a strong
-- near miss), in Swedish; NULL when it is not.
ALTER TABLE verdicts ADD COLUMN uncertain TEXT;
