SELECT id, kind FROM metrics WHERE name = :name;
