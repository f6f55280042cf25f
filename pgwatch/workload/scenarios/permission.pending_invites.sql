-- The open invitations addressed to an e-mail address, shown after login.
-- category: permission
SELECT i.team_id, i.expires_at
FROM public.team_invites AS i
WHERE lower(i.email) = lower(%(email)s) AND i.status = 'PENDING' AND i.expires_at > now()
