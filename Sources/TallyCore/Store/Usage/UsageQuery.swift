/// The one SELECT through which Tally reads the app's usage (`USAGE_QUERY`).
///
/// Contract: the query returns one row per billable action with these columns (any order, extra
/// columns ignored):
///
/// | column | type | meaning |
/// |---|---|---|
/// | `id` | any (cast to text) | the app's row id, stable: Tally derives meter-event identifiers from it |
/// | `team_id` | any (cast to text), NULL = bad row | the team that used the tokens |
/// | `stripe_customer_id` | text, NULL allowed | the team's Stripe customer |
/// | `user_id` | any (cast to text), NULL allowed | who used them |
/// | `action` | text, NULL allowed | what they did |
/// | `tokens` | integer, negative = bad row | the quantity billed |
/// | `created_at` | integer unix seconds (UTC) | when it happened |
/// | `meter_event_identifier` | text, NULL allowed | the identifier the app sent to Stripe, if it keeps it |
/// | `reported_at` | integer unix seconds, NULL allowed | when Stripe acknowledged it, if the app keeps it |
///
/// Tally wraps the query as a subquery (`SELECT … FROM (<query>) u WHERE u.created_at >= ? …`), so it
/// must not end with a semicolon and must not take parameters; the database pushes Tally's filters and
/// aggregation down into it. Tally never writes to the app's tables.
public enum UsageQuery {
    /// The setting that overrides the default.
    public static let settingKey = "USAGE_QUERY"

    /// The columns the query must return.
    public static let requiredColumns = [
        "id", "team_id", "stripe_customer_id", "user_id", "action", "tokens", "created_at",
        "meter_event_identifier", "reported_at",
    ]

    /// The default for the Next.js SaaS starter schema on `backend`.
    public static func `default`(for backend: StoreBackend) -> String {
        switch backend {
        case .sqlite: sqliteDefault
        case .postgres: postgresDefault
        }
    }

    /// SQLite: `created_at` may be unix seconds or ISO-8601 text (`2026-01-01 12:00:00`), read as UTC.
    public static let sqliteDefault = """
        SELECT tu.id AS id,
               tu.team_id AS team_id,
               t.stripe_customer_id AS stripe_customer_id,
               tu.user_id AS user_id,
               tu.action AS action,
               tu.tokens AS tokens,
               CASE WHEN typeof(tu.created_at) = 'integer' THEN tu.created_at
                    ELSE CAST(strftime('%s', tu.created_at) AS INTEGER) END AS created_at,
               tu.meter_event_identifier AS meter_event_identifier,
               CASE WHEN typeof(tu.meter_reported_at) = 'integer' THEN tu.meter_reported_at
                    ELSE CAST(strftime('%s', tu.meter_reported_at) AS INTEGER) END AS reported_at
        FROM token_usage tu
        LEFT JOIN teams t ON t.id = tu.team_id
        """

    /// PostgreSQL: `created_at` is a `timestamp` (read as UTC) or `timestamptz`. Fractions of a second are
    /// cut, never rounded (a cast rounds 23:59:59.6 into the next day), as SQLite's `strftime('%s')` does.
    public static let postgresDefault = """
        SELECT tu.id AS id,
               tu.team_id AS team_id,
               t.stripe_customer_id AS stripe_customer_id,
               tu.user_id AS user_id,
               tu.action AS action,
               tu.tokens AS tokens,
               floor(EXTRACT(EPOCH FROM tu.created_at))::bigint AS created_at,
               tu.meter_event_identifier AS meter_event_identifier,
               floor(EXTRACT(EPOCH FROM tu.meter_reported_at))::bigint AS reported_at
        FROM token_usage tu
        LEFT JOIN teams t ON t.id = tu.team_id
        """
}
