-- The estimated size of a hypothetical index, in bytes.
SELECT {size}(%(oid)s::oid) AS bytes
