-- Goals that are over (completed or cancelled): their status may flip without touching the
-- active goals the other scenarios read.
SELECT g.id FROM public.team_goals AS g
WHERE g.status IN ('COMPLETED', 'CANCELLED')
ORDER BY random()
LIMIT %(limit)s;
