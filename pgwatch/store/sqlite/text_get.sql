SELECT body FROM texts WHERE digest = :digest;
