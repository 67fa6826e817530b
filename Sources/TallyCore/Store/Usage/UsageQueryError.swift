import Foundation

extension ConfigurationError {
    /// The usage query failed in the database: names the missing column when the message points at one.
    static func usageQuery(databaseMessage: String) -> ConfigurationError {
        let required = UsageQuery.requiredColumns.joined(separator: ", ")
        if let column = missingColumn(in: databaseMessage) {
            return ConfigurationError(
                key: UsageQuery.settingKey,
                problem: "does not return the column `\(column)` (the database says: \(databaseMessage))",
                fix: "select it, e.g. `... AS \(column)`; the query must return \(required)"
            )
        }
        return ConfigurationError(
            key: UsageQuery.settingKey,
            problem: "fails in the database: \(databaseMessage)",
            fix: "run it in sqlite3 or psql until it works; it must return \(required), times as unix seconds"
        )
    }

    /// The query returned a value Tally cannot read (NULL where a value is needed, text where a number is).
    static func usageQueryValue(column: String?, detail: String) -> ConfigurationError {
        ConfigurationError(
            key: UsageQuery.settingKey,
            problem: "returns NULL or a value of the wrong type\(column.map { " in `\($0)`" } ?? "") (\(detail))",
            fix: "cast it: ids and names as text, tokens and times (unix seconds) as integers, id and created_at never NULL"
        )
    }

    /// The query returns something other than numbers where numbers belong (all sampled rows).
    static func usageQueryColumnType(column: String, type: String) -> ConfigurationError {
        let fix = column == "tokens"
            ? "return tokens as an integer, e.g. `CAST(tokens AS INTEGER) AS tokens` (rows that are not whole numbers are then reported as bad rows)"
            : "return \(column) as unix seconds: `CAST(strftime('%s', \(column)) AS INTEGER)` on SQLite, `EXTRACT(EPOCH FROM \(column))::bigint` on PostgreSQL"
        return ConfigurationError(key: UsageQuery.settingKey, problem: "returns \(type) in `\(column)` where a number belongs", fix: fix)
    }

    /// Finds `u.<column>` (how Tally refers to the query's columns) in a database error message.
    private static func missingColumn(in message: String) -> String? {
        let pattern = /(?:^|[^A-Za-z0-9_])u\.([A-Za-z_][A-Za-z0-9_]*)/
        for match in message.matches(of: pattern) {
            let column = String(match.output.1)
            if UsageQuery.requiredColumns.contains(column) { return column }
        }
        return nil
    }
}
