SELECT id FROM objects
WHERE target = :target AND collector = :collector AND labels = :labels;
