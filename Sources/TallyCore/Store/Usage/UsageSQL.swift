import Foundation

/// The SQL Tally wraps around the usage query, with numbered parameterMarkers: `?n` (SQLite), `$n` (PostgreSQL).
///
/// Every value is cast so both engines return the same types: ids as text, sums and times as 64-bit
/// integers (PostgreSQL's `SUM(bigint)` is `numeric` otherwise).
public struct UsageSQL: Sendable {
    public var backend: StoreBackend
    public var usageQuery: String

    public init(backend: StoreBackend, usageQuery: String) {
        self.backend = backend
        self.usageQuery = usageQuery
    }

    func parameterMarker(_ n: Int) -> String {
        backend == .sqlite ? "?\(n)" : "$\(n)"
    }

    var subquery: String {
        // Strip a trailing semicolon, the commonest way a pasted query breaks the wrapping.
        var query = usageQuery.trimmingCharacters(in: .whitespacesAndNewlines)
        while query.hasSuffix(";") { query = String(query.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
        return "(\n\(query)\n) AS u"
    }

    /// The tokens of the day's latest row: SQLite returns a bare column from the row that holds `MAX()`;
    /// PostgreSQL takes the first of the tokens ordered by time.
    private var lastTokens: String {
        switch backend {
        case .sqlite: "CAST(u.tokens AS BIGINT)"
        case .postgres: "(array_agg(CAST(u.tokens AS bigint) ORDER BY u.created_at DESC, CAST(u.id AS text) DESC))[1]"
        }
    }

    /// One scan for sums and bad rows: rows are grouped by their problem (0 = billable, 1 = no team,
    /// 2 = negative or missing tokens, 3 = after `now`; the first that applies) as well as by customer,
    /// team and UTC day. Parameters: start, end, now (unix seconds).
    public var dailyUsage: String {
        """
        SELECT CASE WHEN u.team_id IS NULL THEN 1
                    WHEN u.tokens IS NULL OR u.tokens < 0 THEN 2
                    WHEN u.created_at > \(parameterMarker(3)) THEN 3
                    ELSE 0 END AS problem,
               CAST(u.stripe_customer_id AS TEXT) AS customer,
               CAST(u.team_id AS TEXT) AS team,
               (CAST(u.created_at AS BIGINT) / 86400) * 86400 AS day,
               CAST(SUM(u.tokens) AS BIGINT) AS tokens,
               COUNT(*) AS row_count,
               CAST(SUM(CASE WHEN u.reported_at IS NOT NULL THEN u.tokens ELSE 0 END) AS BIGINT) AS reported_tokens,
               CAST(MAX(u.created_at) AS BIGINT) AS last_event_at,
               \(lastTokens) AS last_tokens
        FROM \(subquery)
        WHERE u.created_at >= \(parameterMarker(1)) AND u.created_at < \(parameterMarker(2))
        GROUP BY 1, 2, 3, 4
        ORDER BY day, team, customer
        """
    }

    /// Parameters: start, end, and (when `filtered`) the customer.
    public func usageRows(filtered: Bool) -> String {
        """
        SELECT CAST(u.id AS TEXT) AS id,
               CAST(u.team_id AS TEXT) AS team_id,
               CAST(u.stripe_customer_id AS TEXT) AS stripe_customer_id,
               CAST(u.user_id AS TEXT) AS user_id,
               CAST(u.action AS TEXT) AS action,
               CAST(u.tokens AS BIGINT) AS tokens,
               CAST(u.created_at AS BIGINT) AS created_at,
               CAST(u.meter_event_identifier AS TEXT) AS meter_event_identifier,
               CAST(u.reported_at AS BIGINT) AS reported_at
        FROM \(subquery)
        WHERE u.created_at >= \(parameterMarker(1)) AND u.created_at < \(parameterMarker(2))\(filtered ? "\n  AND u.stripe_customer_id = \(parameterMarker(3))" : "")
        ORDER BY u.created_at, CAST(u.id AS TEXT)
        """
    }
}
