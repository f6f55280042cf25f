-- The tables of the store file, to tell a pgwatch store from another SQLite database.
SELECT name FROM sqlite_master WHERE type = 'table'
