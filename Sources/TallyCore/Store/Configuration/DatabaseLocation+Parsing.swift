import Foundation

extension DatabaseLocation {
    /// The setting this type is parsed from.
    public static let settingKey = "DATABASE_URL"

    /// Parses a `DATABASE_URL` value; a bad one throws a `ConfigurationError` that never shows the password.
    public init(parsing url: String) throws {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("sqlite:") {
            self = .sqlite(try Self.parseSQLite(String(trimmed.dropFirst("sqlite:".count))))
        } else if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            self = .postgres(try Self.parsePostgres(trimmed))
        } else {
            throw Self.invalid("has an unknown scheme (\(Self.masked(trimmed)))")
        }
    }

    private static func parseSQLite(_ rest: String) throws -> SQLiteLocation {
        if rest == ":memory:" { return .memory }
        // `sqlite:///abs/path` and `sqlite://rel` are common spellings of the same thing.
        var path = rest
        if path.hasPrefix("//") { path.removeFirst(2) }
        guard !path.isEmpty else { throw invalid("has no file path after `sqlite:`") }
        return .file(path: path)
    }

    private static func parsePostgres(_ url: String) throws -> PostgresLocation {
        guard let components = URLComponents(string: url) else {
            throw invalid("is not a valid URL (\(masked(url)))")
        }
        guard let host = components.host, !host.isEmpty else {
            throw invalid("has no host (\(masked(url)))")
        }
        guard let user = components.user, !user.isEmpty else {
            throw invalid("has no user name (\(masked(url)))")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw invalid("has no database name after the host (\(masked(url)))")
        }
        var sslMode = PostgresSSLMode.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else {
                throw invalid("has an unsupported parameter `\(item.name)` (\(masked(url)))")
            }
            guard let value = item.value, let mode = PostgresSSLMode(rawValue: value) else {
                let allowed = PostgresSSLMode.allCases.map(\.rawValue).joined(separator: "|")
                throw invalid("has sslmode `\(item.value ?? "")`, expected one of \(allowed)")
            }
            sslMode = mode
        }
        let password = components.password.map { Secret($0.removingPercentEncoding ?? $0) }
        return PostgresLocation(
            host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")),
            port: components.port ?? 5432,
            user: user.removingPercentEncoding ?? user,
            password: password,
            database: database.removingPercentEncoding ?? database,
            sslMode: sslMode
        )
    }

    private static func invalid(_ problem: String) -> ConfigurationError {
        ConfigurationError(
            key: settingKey,
            problem: problem,
            fix: "use sqlite:PATH, sqlite::memory: or postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable|prefer|require|verify-full"
        )
    }

    /// The URL as typed, with anything between `://user:` and `@` replaced by `****`.
    static func masked(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        guard let at = afterScheme.lastIndex(of: "@") else { return url }
        let credentials = afterScheme[..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":****" + String(url[at...])
    }
}
