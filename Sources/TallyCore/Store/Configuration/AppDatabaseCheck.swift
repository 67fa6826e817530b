import Foundation

/// What a job checks before it touches `DATABASE_URL`'s database: that it is the app's, with the table
/// the usage query reads. Checked before any migration, so a wrong URL leaves nothing behind.
enum AppDatabaseCheck {
    /// The probe each backend prepares: it names every table the usage query reads, and reads no row.
    static func probeSQL(_ configuration: StoreConfiguration) -> String {
        "SELECT * FROM (\(configuration.effectiveUsageQuery)) AS u LIMIT 0"
    }

    /// `DATABASE_URL` names a SQLite file that does not exist (or an in-memory database, which never holds
    /// the app's tables).
    static func missing(_ location: DatabaseLocation) -> ConfigurationError {
        var named = "\(location)"
        if case .sqlite(.file(let path)) = location, !path.hasPrefix("/") {
            named += " (\(URL(fileURLWithPath: path).standardizedFileURL.path) from this directory)"
        }
        return ConfigurationError(
            key: DatabaseLocation.settingKey,
            problem: "names \(named), which does not exist; a job never creates an empty database",
            fix: "point DATABASE_URL at the app's database, the one holding its usage table, e.g. sqlite:/var/lib/app/app.sqlite")
    }

    /// The database has no table the usage query reads.
    static func noUsageTable(_ table: String, location: DatabaseLocation, customQuery: Bool) -> ConfigurationError {
        ConfigurationError(
            key: DatabaseLocation.settingKey,
            problem: "names \(location), which has no table \(table) for the usage query to read: it is not the app's database",
            fix: customQuery
                ? "point DATABASE_URL at the app's database, or fix the table USAGE_QUERY reads"
                : "point DATABASE_URL at the app's database (with its token_usage and teams tables), or set USAGE_QUERY to read the app's own usage table")
    }

    /// The file is not a database at all.
    static func notADatabase(_ location: DatabaseLocation) -> ConfigurationError {
        ConfigurationError(
            key: DatabaseLocation.settingKey, problem: "names \(location), which is not a SQLite database",
            fix: "point DATABASE_URL at the app's database file")
    }

    /// The table named in "no such table: main.token_usage" (SQLite) or `relation "token_usage" does not
    /// exist` (PostgreSQL).
    static func missingTable(inMessage message: String) -> String? {
        if let range = message.range(of: "no such table: ") {
            let name = message[range.upperBound...].prefix { !$0.isWhitespace }
            return String(name.split(separator: ".").last ?? name)
        }
        if let match = message.firstMatch(of: /relation "([^"]+)" does not exist/) {
            return String(match.output.1)
        }
        return nil
    }
}
