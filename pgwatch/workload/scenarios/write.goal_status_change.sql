-- A team admin changes a closed goal's status (completed or cancelled), firing refresh requests.
-- category: write
UPDATE public.team_goals
SET status = CASE status WHEN 'COMPLETED' THEN 'CANCELLED' ELSE 'COMPLETED' END,
    completed_at = CASE status WHEN 'COMPLETED' THEN NULL ELSE now() END,
    updated_at = now()
WHERE id = %(closed_goal_id)s
