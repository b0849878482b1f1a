-- Two-tier local government since 1 July 2025: districts are gone. Preschools, primary and
-- lower-secondary schools are managed by their commune or ward people's committee; upper-secondary
-- schools and continuing-education centres by the provincial Department of Education and Training.
--
-- A school now carries its commune or ward (official code and name), its managing authority and,
-- as history, its former district (the `district` column, now optional). Schools also get the
-- official school code of the province's school list, the stable identifier of the open data feed.
--
-- Moving existing data (docs/authorities.md): the database does not know which commune a school
-- recorded before this migration lies in, so
--   * upper-secondary and continuing-education schools go to the department (the level decides it);
--   * every other school goes to a transitional authority named after its former district (kind
--     `former_district`), until the province's school list (`tuition school import`) gives its commune.
-- A transitional authority's code is 'HUYEN-' and the first 10 hex digits of the MD5 of the district
-- name, upper-cased: the same expression Ledger.Authorities uses for schools created without a commune.
--
-- Tokens of the old role `district_office` become `authority_office` tokens of their district's
-- transitional authority and keep the district: such a token also sees the schools of its former
-- district that have since moved to a commune authority (API.TokenStore), so it keeps working.

CREATE TABLE authorities (
    authority_code   text PRIMARY KEY CHECK (authority_code ~ '^[A-Z0-9][A-Z0-9-]{1,39}$'),
    kind             text NOT NULL CHECK (kind IN ('department', 'commune', 'former_district')),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- The commune whose people's committee this is (kind commune only).
    commune_code     text UNIQUE CHECK (commune_code ~ '^[0-9]{5}$'),
    CHECK ((kind = 'commune') = (commune_code IS NOT NULL))
);

INSERT INTO authorities (authority_code, kind, name) VALUES ('SGDDT', 'department', 'Sở Giáo dục và Đào tạo');

INSERT INTO authorities (authority_code, kind, name)
SELECT DISTINCT 'HUYEN-' || upper(substr(md5(district), 1, 10)), 'former_district', left('Phòng GD&ĐT ' || district || ' (cũ)', 200)
FROM (SELECT district FROM schools WHERE level NOT IN ('upper_secondary', 'continuing')
      UNION SELECT district FROM api_tokens WHERE role = 'district_office') d
ON CONFLICT DO NOTHING;

ALTER TABLE schools
    ADD COLUMN official_code  text UNIQUE CHECK (official_code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'),
    ADD COLUMN commune_code   text CHECK (commune_code ~ '^[0-9]{5}$'),
    ADD COLUMN commune_name   text CHECK (length(commune_name) BETWEEN 1 AND 100),
    ADD COLUMN authority_code text REFERENCES authorities,
    ALTER COLUMN district DROP NOT NULL,
    ADD CHECK ((commune_code IS NULL) = (commune_name IS NULL));

UPDATE schools SET authority_code = CASE WHEN level IN ('upper_secondary', 'continuing') THEN 'SGDDT'
                                         ELSE 'HUYEN-' || upper(substr(md5(district), 1, 10)) END;

ALTER TABLE schools ALTER COLUMN authority_code SET NOT NULL;
CREATE INDEX schools_by_authority ON schools (authority_code);
CREATE INDEX schools_by_district ON schools (district);

-- The role checks of api_tokens name district_office; they are dropped by what they say, not by a
-- generated constraint name.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'api_tokens'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%district_office%'
    LOOP
        EXECUTE format('ALTER TABLE api_tokens DROP CONSTRAINT %I', c.conname);
    END LOOP;
END $$;

ALTER TABLE api_tokens ADD COLUMN authority_code text REFERENCES authorities;

UPDATE api_tokens SET role = 'authority_office', authority_code = 'HUYEN-' || upper(substr(md5(district), 1, 10))
WHERE role = 'district_office';

ALTER TABLE api_tokens
    ADD CONSTRAINT api_tokens_role_known
        CHECK (role IN ('admin', 'finance_office', 'authority_office', 'accountant', 'bank', 'feed')),
    ADD CONSTRAINT api_tokens_authority_scope CHECK ((role = 'authority_office') = (authority_code IS NOT NULL)),
    ADD CONSTRAINT api_tokens_district_history CHECK (district IS NULL OR role = 'authority_office');
