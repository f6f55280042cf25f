-- Login: the live user with this e-mail address, case-insensitively.
-- category: permission
SELECT u.id, u.name
FROM public.users AS u
WHERE lower(u.email) = lower(%(email)s) AND u.deleted_at IS NULL
