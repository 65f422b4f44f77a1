-- The owner's dashboard sessions and the IndieAuth server's authorization codes and refresh
-- tokens (hub/site). Access tokens themselves are `credentials` rows of kind 'indieauth'.
-- Secrets (session ids, codes, refresh tokens) are stored only as their SHA-256.

-- A signed-in dashboard session. The cookie carries a random id; the row holds its hash and
-- the CSRF token every POST form of the session must echo.
CREATE TABLE dashboard_sessions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_hash bytea NOT NULL CHECK (octet_length(session_hash) = 32),
    author_id    bigint NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL CHECK (length(csrf_token) >= 32),
    ip           inet,
    user_agent   text CHECK (user_agent IS NULL OR length(user_agent) <= 500),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE UNIQUE INDEX dashboard_sessions_hash_key ON dashboard_sessions (session_hash);
CREATE INDEX dashboard_sessions_expires_idx ON dashboard_sessions (expires_at);
CREATE INDEX dashboard_sessions_author_idx ON dashboard_sessions (author_id);

-- An authorization code: single use, short-lived, bound to the client, its redirect URI, the
-- PKCE challenge and the approved scopes. `used_at` stays set after redemption so that a
-- second presentation is recognised (and revokes what the first one issued).
CREATE TABLE indieauth_codes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code_hash        bytea NOT NULL CHECK (octet_length(code_hash) = 32),
    author_id        bigint NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    channel_id       bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    client_id        text NOT NULL CHECK (length(client_id) <= 2000),
    client_name      text NOT NULL DEFAULT '' CHECK (length(client_name) <= 200),
    redirect_uri     text NOT NULL CHECK (length(redirect_uri) <= 2000),
    code_challenge   text CHECK (code_challenge IS NULL OR length(code_challenge) BETWEEN 43 AND 128),
    scopes           text[] NOT NULL DEFAULT '{}',
    me               text NOT NULL,
    lifetime_seconds integer CHECK (lifetime_seconds IS NULL OR lifetime_seconds > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    used_at          timestamptz
);
CREATE UNIQUE INDEX indieauth_codes_hash_key ON indieauth_codes (code_hash);
CREATE INDEX indieauth_codes_expires_idx ON indieauth_codes (expires_at);

-- Which access tokens (credentials) each code led to, directly or through refreshes.
CREATE TABLE indieauth_issued (
    credential_id bigint PRIMARY KEY REFERENCES credentials (id) ON DELETE CASCADE,
    code_id       bigint NOT NULL REFERENCES indieauth_codes (id) ON DELETE CASCADE
);
CREATE INDEX indieauth_issued_code_idx ON indieauth_issued (code_id);

-- A refresh token, issued with an access token when the owner chose a lifetime. Refreshing
-- rotates it (`used_at`); presenting a rotated one again revokes the whole grant.
CREATE TABLE indieauth_refresh_tokens (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash       bytea NOT NULL CHECK (octet_length(token_hash) = 32),
    code_id          bigint NOT NULL REFERENCES indieauth_codes (id) ON DELETE CASCADE,
    client_id        text NOT NULL,
    scopes           text[] NOT NULL DEFAULT '{}',
    lifetime_seconds integer NOT NULL CHECK (lifetime_seconds > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    used_at          timestamptz,
    revoked_at       timestamptz
);
CREATE UNIQUE INDEX indieauth_refresh_tokens_hash_key ON indieauth_refresh_tokens (token_hash);
CREATE INDEX indieauth_refresh_tokens_code_idx ON indieauth_refresh_tokens (code_id);
