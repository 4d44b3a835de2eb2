-- A generation number for checkout's copy of the promotions, moved by
-- every write to the copy (the triggers see them all: the bus handler,
-- a replay's reset, anything else), so each worker can keep the copy
-- parsed in memory and read it again only when it changed.
CREATE TABLE copy_generations (
	name	TEXT PRIMARY KEY,
	gen	INTEGER NOT NULL
);
INSERT INTO copy_generations (name, gen) VALUES ('promotions', 1);

CREATE TRIGGER promotions_gen_insert AFTER INSERT ON promotions BEGIN
	UPDATE copy_generations SET gen = gen + 1 WHERE name = 'promotions';
END;
CREATE TRIGGER promotions_gen_update AFTER UPDATE ON promotions BEGIN
	UPDATE copy_generations SET gen = gen + 1 WHERE name = 'promotions';
END;
CREATE TRIGGER promotions_gen_delete AFTER DELETE ON promotions BEGIN
	UPDATE copy_generations SET gen = gen + 1 WHERE name = 'promotions';
END;
