/// The starter app's tables, as its migrations create them, in both dialects.
///
/// `token_usage.team_id` is nullable here (the starter's is not) so tests can hold the bad rows real
/// databases end up with.
public enum SampleAppSchema {
    /// SQLite: times as `YYYY-MM-DD HH:MM:SS` text in UTC, as an ORM writes them.
    public static let sqlite = [
        """
        CREATE TABLE teams (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
            updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
            stripe_customer_id TEXT UNIQUE,
            stripe_subscription_id TEXT UNIQUE,
            stripe_product_id TEXT,
            plan_name TEXT,
            subscription_status TEXT
        )
        """,
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT,
            email TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL DEFAULT 'member',
            created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
            deleted_at TEXT
        )
        """,
        """
        CREATE TABLE team_members (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id),
            team_id INTEGER NOT NULL REFERENCES teams (id),
            role TEXT NOT NULL,
            joined_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
        )
        """,
        """
        CREATE TABLE token_usage (
            id INTEGER PRIMARY KEY,
            team_id INTEGER REFERENCES teams (id),
            user_id INTEGER REFERENCES users (id),
            action TEXT NOT NULL,
            tokens INTEGER NOT NULL,
            created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
            meter_event_identifier TEXT,
            meter_reported_at TEXT
        )
        """,
        "CREATE INDEX token_usage_team_created ON token_usage (team_id, created_at)",
    ]

    /// PostgreSQL: `timestamp` columns holding UTC, as the starter's Drizzle schema declares them.
    public static let postgres = [
        """
        CREATE TABLE teams (
            id serial PRIMARY KEY,
            name varchar(100) NOT NULL,
            created_at timestamp NOT NULL DEFAULT now(),
            updated_at timestamp NOT NULL DEFAULT now(),
            stripe_customer_id text UNIQUE,
            stripe_subscription_id text UNIQUE,
            stripe_product_id text,
            plan_name varchar(50),
            subscription_status varchar(20)
        )
        """,
        """
        CREATE TABLE users (
            id serial PRIMARY KEY,
            name varchar(100),
            email varchar(255) NOT NULL UNIQUE,
            password_hash text NOT NULL DEFAULT '',
            role varchar(20) NOT NULL DEFAULT 'member',
            created_at timestamp NOT NULL DEFAULT now(),
            deleted_at timestamp
        )
        """,
        """
        CREATE TABLE team_members (
            id serial PRIMARY KEY,
            user_id integer NOT NULL REFERENCES users (id),
            team_id integer NOT NULL REFERENCES teams (id),
            role varchar(50) NOT NULL,
            joined_at timestamp NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE TABLE token_usage (
            id serial PRIMARY KEY,
            team_id integer REFERENCES teams (id),
            user_id integer REFERENCES users (id),
            action text NOT NULL,
            tokens integer NOT NULL,
            created_at timestamp NOT NULL DEFAULT now(),
            meter_event_identifier text,
            meter_reported_at timestamp
        )
        """,
        "CREATE INDEX token_usage_team_created ON token_usage (team_id, created_at)",
    ]
}
