-- The items of Litestar's CRUD tutorial. `version` counts the changes of an item, so that an
-- update can be made conditional on the version the client saw.
CREATE TABLE items (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    name    TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    price   REAL    NOT NULL CHECK (price > 0),
    version INTEGER NOT NULL DEFAULT 1
);

-- The tutorial starts with one item, which its curl walkthrough reads, changes and deletes.
INSERT INTO items (id, name, price) VALUES (1, 'Laptop', 999.99);
