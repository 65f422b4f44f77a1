-- The hourly `clean_expired_auth` job of hub/site (hub/site/jobs.py) deletes refresh tokens
-- by expiry; dashboard sessions and authorization codes already have their expiry indexes
-- (0006).
CREATE INDEX indieauth_refresh_tokens_expires_idx ON indieauth_refresh_tokens (expires_at);
