-- Forget every hypothetical index of this session.
SELECT {reset}()
