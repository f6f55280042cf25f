UPDATE texts SET last_used = max(last_used, :last_used) WHERE digest = :digest;
