INSERT INTO texts (digest, body, last_used) VALUES (:digest, :body, :last_used)
ON CONFLICT (digest) DO UPDATE SET last_used = max(last_used, excluded.last_used);
