INSERT INTO events (target, kind, subject, detail, at)
VALUES (:target, :kind, :subject, :detail, :at);
