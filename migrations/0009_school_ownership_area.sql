-- A school's ownership (public or non-public: it decides the tuition regime from 2025–26) and the area
-- class the provincial fee catalogue sets its caps by. Schools recorded before this migration were all
-- public; their area class starts as rural until the province's school list says otherwise.
ALTER TABLE schools
    ADD COLUMN ownership  text NOT NULL DEFAULT 'public' CHECK (ownership IN ('public', 'non_public')),
    ADD COLUMN area_class text NOT NULL DEFAULT 'rural' CHECK (area_class IN ('urban', 'rural', 'mountainous'));
