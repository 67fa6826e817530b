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

    /// `x` is not a whole number. SQLite is dynamically typed, so a REAL with a fraction or any TEXT counts;
    /// PostgreSQL compares with the truncated value (a text column fails in the database instead, and the
    /// run stops naming `USAGE_QUERY`).
    func notWholeNumber(_ x: String) -> String {
        switch backend {
        case .sqlite: "(typeof(\(x)) NOT IN ('integer', 'real') OR (typeof(\(x)) = 'real' AND \(x) <> ROUND(\(x))))"
        case .postgres: "(CAST(\(x) AS numeric) <> trunc(CAST(\(x) AS numeric)))"
        }
    }

    /// The row's problem code (`UsageProblem`, 0 when billable), the first that applies. `now` is the
    /// parameter holding the run's start, or nil when future rows are not judged here.
    /// `checkDuplicates` adds a window function (not allowed in a WHERE clause) flagging ids the query
    /// returns more than once within the rows read.
    func problem(now: String?, checkDuplicates: Bool = true) -> String {
        let duplicates = checkDuplicates
            ? "WHEN COUNT(*) OVER (PARTITION BY CAST(u.id AS TEXT)) > 1 THEN \(UsageProblem.duplicateID.rawValue)\n                    "
            : ""
        return """
        CASE \(duplicates)WHEN u.team_id IS NULL THEN \(UsageProblem.missingTeam.rawValue)
                    WHEN u.created_at IS NULL THEN \(UsageProblem.unreadableTimestamp.rawValue)
                    WHEN u.tokens IS NULL THEN \(UsageProblem.negativeTokens.rawValue)
                    WHEN \(notWholeNumber("u.tokens")) THEN \(UsageProblem.notWholeNumber.rawValue)
                    WHEN u.tokens < 0 THEN \(UsageProblem.negativeTokens.rawValue)
                    WHEN u.tokens > \(MeterEventValue.maximum) THEN \(UsageProblem.tooLarge.rawValue)\(now.map { "\n                    WHEN u.created_at > \($0) THEN \(UsageProblem.futureTimestamp.rawValue)" } ?? "")
                    ELSE 0 END
        """
    }

    /// The usage query's rows with their problem code, tokens cast only where they are billable (a cast of a
    /// bad value would fail in PostgreSQL or be rounded in SQLite). An empty customer id counts as none.
    /// Parameters: start, end, now, and 1 to include rows whose `created_at` is unreadable.
    private var classified: String {
        """
        SELECT \(problem(now: parameterMarker(3))) AS problem,
               CAST(u.id AS TEXT) AS id,
               NULLIF(CAST(u.stripe_customer_id AS TEXT), '') AS customer,
               CAST(u.team_id AS TEXT) AS team,
               CAST(u.created_at AS BIGINT) AS created_at,
               u.tokens AS raw_tokens,
               u.reported_at AS reported_at
        FROM \(subquery)
        WHERE (u.created_at >= \(parameterMarker(1)) AND u.created_at < \(parameterMarker(2)))
           OR (u.created_at IS NULL AND \(parameterMarker(4)) = 1)
        """
    }

    /// Tokens of billable rows, NULL for the others.
    private var billableTokens: String { "CASE WHEN c.problem = 0 THEN CAST(c.raw_tokens AS BIGINT) END" }

    /// The tokens of the day's latest row: SQLite returns a bare column from the row that holds `MAX()`;
    /// PostgreSQL takes the first of the tokens ordered by time.
    private var lastTokens: String {
        switch backend {
        case .sqlite: billableTokens
        case .postgres: "(array_agg(\(billableTokens) ORDER BY c.created_at DESC, c.id DESC))[1]"
        }
    }

    /// One scan for sums and bad rows: rows are grouped by their problem (`UsageProblem`, 0 = billable) as
    /// well as by customer, team and UTC day. Sums come in two parts (whole billions and the rest) so that
    /// no database sum can overflow: Tally adds them up with overflow checks and reports a day that does
    /// not fit instead of wrapping or failing. Parameters: start, end, now (unix seconds), include
    /// unreadable times (0 or 1).
    public var dailyUsage: String {
        """
        SELECT c.problem AS problem,
               c.customer AS customer,
               c.team AS team,
               (c.created_at / 86400) * 86400 AS day,
               CAST(SUM(\(billableTokens) / \(Self.split)) AS BIGINT) AS tokens_high,
               CAST(SUM(\(billableTokens) % \(Self.split)) AS BIGINT) AS tokens_low,
               COUNT(*) AS row_count,
               CAST(SUM(CASE WHEN c.reported_at IS NOT NULL THEN \(billableTokens) / \(Self.split) ELSE 0 END) AS BIGINT) AS reported_high,
               CAST(SUM(CASE WHEN c.reported_at IS NOT NULL THEN \(billableTokens) % \(Self.split) ELSE 0 END) AS BIGINT) AS reported_low,
               CAST(MAX(c.created_at) AS BIGINT) AS last_event_at,
               \(lastTokens) AS last_tokens,
               COUNT(DISTINCT c.created_at / 3600) AS active_hours
        FROM (
        \(classified)
        ) AS c
        GROUP BY 1, 2, 3, 4
        ORDER BY day, team, customer
        """
    }

    /// Where sums are split: a billable row has at most 15 digits, so neither part of any sum of fewer than
    /// nine billion rows overflows.
    static let split: Int64 = 1_000_000_000

    /// The first bad rows' ids with their problem code, oldest problem code first.
    /// Parameters: start, end, now, include unreadable times (0 or 1), the limit per problem.
    public var badRows: String {
        """
        SELECT c.problem AS problem, c.id AS id
        FROM (
        \(classified)
        ) AS c
        WHERE c.problem <> 0
        ORDER BY c.problem, c.created_at, c.id
        LIMIT \(parameterMarker(5))
        """
    }

    /// Parameters: start, end, and (when `filtered`) the customer. Rows with a problem come back with
    /// their code and 0 tokens, never a rounded or clamped value.
    public func usageRows(filtered: Bool) -> String {
        usageRows(customerFilter: filtered ? "\n  AND NULLIF(CAST(u.stripe_customer_id AS TEXT), '') = \(parameterMarker(3))" : "")
    }

    /// The rows of `count` customers (parameters 3 to `count` + 2) in `[start, end)`: one pass over the
    /// app's table for many customers.
    public func usageRows(customers count: Int) -> String {
        let markers = (0..<count).map { parameterMarker($0 + 3) }.joined(separator: ", ")
        return usageRows(customerFilter: "\n  AND NULLIF(CAST(u.stripe_customer_id AS TEXT), '') IN (\(markers))")
    }

    private func usageRows(customerFilter: String) -> String {
        """
        SELECT CAST(u.id AS TEXT) AS id,
               CAST(u.team_id AS TEXT) AS team_id,
               NULLIF(CAST(u.stripe_customer_id AS TEXT), '') AS stripe_customer_id,
               CAST(u.user_id AS TEXT) AS user_id,
               CAST(u.action AS TEXT) AS action,
               CASE WHEN \(problem(now: nil)) = 0 THEN CAST(u.tokens AS BIGINT) ELSE 0 END AS tokens,
               CAST(u.created_at AS BIGINT) AS created_at,
               CAST(u.meter_event_identifier AS TEXT) AS meter_event_identifier,
               CAST(u.reported_at AS BIGINT) AS reported_at,
               \(problem(now: nil)) AS problem
        FROM \(subquery)
        WHERE u.created_at >= \(parameterMarker(1)) AND u.created_at < \(parameterMarker(2))\(customerFilter)
        ORDER BY u.created_at, CAST(u.id AS TEXT)
        """
    }

    /// The storage types of the columns that must be numbers, for the first rows: SQLite's `typeof` per
    /// row, PostgreSQL's declared type (`pg_typeof`), `null` where the value is NULL. No parameters.
    public var columnTypes: String {
        switch backend {
        case .sqlite:
            """
            SELECT typeof(u.tokens) AS tokens, typeof(u.created_at) AS created_at, typeof(u.reported_at) AS reported_at
            FROM \(subquery)
            LIMIT 200
            """
        case .postgres:
            """
            SELECT CASE WHEN u.tokens IS NULL THEN 'null' ELSE CAST(pg_typeof(u.tokens) AS text) END AS tokens,
                   CASE WHEN u.created_at IS NULL THEN 'null' ELSE CAST(pg_typeof(u.created_at) AS text) END AS created_at,
                   CASE WHEN u.reported_at IS NULL THEN 'null' ELSE CAST(pg_typeof(u.reported_at) AS text) END AS reported_at
            FROM \(subquery)
            LIMIT 200
            """
        }
    }

    /// The first column of `typesByColumn` (types seen in the sampled rows) that holds no number at all,
    /// and what it holds: a query returning text or timestamps there would make every row vanish or fail.
    static func nonNumericColumn(_ typesByColumn: [(column: String, types: Set<String>)]) -> (column: String, type: String)? {
        let numeric: Set<String> = ["integer", "real", "null", "smallint", "bigint", "numeric", "double precision", "unknown"]
        for (column, types) in typesByColumn {
            let seen = types.subtracting(["null"])
            if !seen.isEmpty && seen.isDisjoint(with: numeric) { return (column, seen.sorted().joined(separator: ", ")) }
        }
        return nil
    }
}
