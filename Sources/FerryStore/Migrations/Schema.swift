/// Ferry's schema, step by step. Types are chosen to mean the same on both dialects: TEXT ids
/// (UUIDs), BIGINT milliseconds since 1970 for times, BOOLEAN flags.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "teams and accounts") { backend in
            let serial =
                backend == .sqlite
                ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
            return [
                """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL UNIQUE,
                    display_name TEXT NOT NULL,
                    password_hash TEXT,
                    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
                    disabled BOOLEAN NOT NULL DEFAULT FALSE,
                    created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE teams (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    name_key TEXT NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE memberships (
                    team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (team_id, user_id))
                """,
                "CREATE INDEX memberships_by_user ON memberships (user_id)",
                """
                CREATE TABLE sessions (
                    token_hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    created_at BIGINT NOT NULL,
                    last_seen_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    client_address TEXT,
                    user_agent TEXT)
                """,
                "CREATE INDEX sessions_by_user ON sessions (user_id)",
                """
                CREATE TABLE api_tokens (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    secret_hash TEXT NOT NULL UNIQUE,
                    prefix TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT,
                    last_used_at BIGINT,
                    revoked_at BIGINT)
                """,
                "CREATE INDEX api_tokens_by_user ON api_tokens (user_id)",
                """
                CREATE TABLE invites (
                    id TEXT PRIMARY KEY,
                    team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                    code_hash TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
                    max_uses INTEGER NOT NULL CHECK (max_uses > 0),
                    uses INTEGER NOT NULL DEFAULT 0,
                    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    revoked_at BIGINT)
                """,
                "CREATE INDEX invites_by_team ON invites (team_id)",
                """
                CREATE TABLE setup_tokens (
                    token_hash TEXT PRIMARY KEY,
                    created_at BIGINT NOT NULL,
                    used_at BIGINT)
                """,
                // No foreign keys: the log outlives what it mentions.
                """
                CREATE TABLE audit_events (
                    id \(serial),
                    at BIGINT NOT NULL,
                    action TEXT NOT NULL,
                    actor_id TEXT,
                    team_id TEXT,
                    subject TEXT,
                    client_address TEXT,
                    detail TEXT)
                """,
                "CREATE INDEX audit_events_by_team ON audit_events (team_id, id)",
            ]
        },
        // One counter that every change of identity data bumps in its own transaction, so that a
        // server (or several) may cache who is who and check in one tiny read that nothing
        // changed — also when the change came from another process (the CLI, another instance).
        Migration(version: 2, name: "identity version") { _ in
            [
                """
                CREATE TABLE identity_version (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    version BIGINT NOT NULL)
                """,
                "INSERT INTO identity_version (id, version) VALUES (1, 0)",
            ]
        },
        // Each browser tab's device: an id the browser made, a name the user can change, and the
        // public half of the device's signing key, which never changes for an id.
        Migration(version: 3, name: "devices") { _ in
            [
                """
                CREATE TABLE devices (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    public_key TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    last_seen_at BIGINT NOT NULL)
                """,
                "CREATE INDEX devices_by_user ON devices (user_id)",
            ]
        },
        // Drops (docs/DROPS.md): uploads in progress, drops and their files, download tickets.
        // Nothing here is readable content: sizes, times, counts, the proof's verifier, the
        // password's salt. Ticket secrets are stored hashed.
        Migration(version: 4, name: "drops") { _ in
            [
                """
                CREATE TABLE uploads (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    length BIGINT NOT NULL,
                    upload_offset BIGINT NOT NULL,
                    concat TEXT NOT NULL CHECK (concat IN ('none', 'partial', 'final')),
                    concat_parts TEXT,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL)
                """,
                "CREATE INDEX uploads_by_user ON uploads (user_id)",
                "CREATE INDEX uploads_by_expiry ON uploads (expires_at)",
                """
                CREATE TABLE drops (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    verifier TEXT NOT NULL,
                    password_salt TEXT,
                    password_iterations INTEGER,
                    size BIGINT NOT NULL,
                    file_count INTEGER NOT NULL,
                    metadata_size INTEGER NOT NULL,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    max_downloads INTEGER,
                    downloads INTEGER NOT NULL DEFAULT 0,
                    revoked_at BIGINT)
                """,
                "CREATE INDEX drops_by_user ON drops (user_id, created_at)",
                "CREATE INDEX drops_by_expiry ON drops (expires_at)",
                """
                CREATE TABLE drop_files (
                    drop_id TEXT NOT NULL REFERENCES drops(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    blob_id TEXT NOT NULL,
                    size BIGINT NOT NULL,
                    PRIMARY KEY (drop_id, position))
                """,
                """
                CREATE TABLE drop_tickets (
                    ticket_hash TEXT PRIMARY KEY,
                    drop_id TEXT NOT NULL REFERENCES drops(id) ON DELETE CASCADE,
                    expires_at BIGINT NOT NULL)
                """,
                "CREATE INDEX drop_tickets_by_drop ON drop_tickets (drop_id, expires_at)",
            ]
        },
        // Guests paired with a member by a code (docs/SIGNALLING.md, "Guest pairing"): kept so
        // that a restart of the server does not end their pairings. The secret is stored hashed;
        // a pass ends with its member's account.
        Migration(version: 5, name: "guest passes") { _ in
            [
                """
                CREATE TABLE guest_passes (
                    secret_hash TEXT PRIMARY KEY,
                    member_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    member_name TEXT NOT NULL,
                    pairing_id TEXT NOT NULL,
                    device_id TEXT NOT NULL,
                    device_name TEXT NOT NULL,
                    public_key TEXT NOT NULL,
                    expires_at BIGINT NOT NULL)
                """,
                "CREATE INDEX guest_passes_by_member ON guest_passes (member_id)",
            ]
        },
        // The name the member gave the code ("for Alice"): set by the member, so, unlike the
        // device name the guest chooses, it can be trusted to say who the guest is.
        Migration(version: 6, name: "guest labels") { _ in
            ["ALTER TABLE guest_passes ADD COLUMN label TEXT"]
        },
        // An ended drop's record outlives its files for a while (docs/DROPS.md, "The sweeper"), so
        // a link to it says why it ended instead of "no such drop". Its files' rows and tickets go
        // at the sweep; the record (sizes, times, counts) goes `endedDropMemory` later.
        Migration(version: 7, name: "ended drops remembered") { _ in
            [
                "ALTER TABLE drops ADD COLUMN swept_at BIGINT",
                "CREATE INDEX drops_by_sweep ON drops (swept_at)",
            ]
        },
    ]
}
