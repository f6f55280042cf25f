-- Forget one hypothetical index of this session.
SELECT {drop}(%(oid)s::oid)
