import Foundation

/// Where Tally's database is, parsed from `DATABASE_URL`.
///
/// `sqlite:PATH` (relative or absolute, `sqlite::memory:` for a private in-memory database) or
/// `postgres://user:pass@host:port/db?sslmode=disable|prefer|require|verify-full` (`postgresql://` too).
/// `description` masks the password as `****`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(SQLiteLocation)
    case postgres(PostgresLocation)

    /// A SQLite file or a private in-memory database.
    public enum SQLiteLocation: Sendable, Equatable {
        case memory
        case file(path: String)
    }

    /// A PostgreSQL server, database and credentials.
    public struct PostgresLocation: Sendable, Equatable {
        /// Host name or IP address.
        public var host: String
        /// TCP port; 5432 when the URL has none.
        public var port: Int
        /// The role to log in as.
        public var user: String
        /// Never printed: `description` and every error show `****`.
        public var password: Secret?
        /// The database name.
        public var database: String
        /// TLS use; `prefer` when the URL has no `sslmode`.
        public var sslMode: PostgresSSLMode

        public init(host: String, port: Int = 5432, user: String, password: Secret?, database: String, sslMode: PostgresSSLMode = .prefer) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
            self.sslMode = sslMode
        }

        /// The same server with another database, e.g. a per-test database.
        public func with(database: String) -> PostgresLocation {
            var copy = self
            copy.database = database
            return copy
        }

        /// The URL with the password masked as `****`.
        public var maskedURL: String {
            let credentials = password == nil ? percentEncoded(user) : "\(percentEncoded(user)):****"
            return "postgres://\(credentials)@\(hostForURL):\(port)/\(percentEncoded(database))?sslmode=\(sslMode.rawValue)"
        }

        /// The URL with the password, for handing to `psql` in tests and benchmarks; never log it.
        public var revealedURL: String {
            let credentials = password.map { "\(percentEncoded(user)):\(percentEncoded($0.revealed))" } ?? percentEncoded(user)
            return "postgres://\(credentials)@\(hostForURL):\(port)/\(percentEncoded(database))?sslmode=\(sslMode.rawValue)"
        }

        private var hostForURL: String { host.contains(":") ? "[\(host)]" : host }

        private func percentEncoded(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/"))) ?? text
        }
    }

    /// The backend this location needs.
    public var backend: StoreBackend {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    public var description: String {
        switch self {
        case .sqlite(.memory): "sqlite::memory:"
        case .sqlite(.file(let path)): "sqlite:\(path)"
        case .postgres(let location): location.maskedURL
        }
    }
}

/// How a PostgreSQL connection uses TLS, named as libpq names it.
public enum PostgresSSLMode: String, Sendable, CaseIterable {
    /// Plain TCP.
    case disable
    /// TLS when the server offers it, unverified; plain otherwise.
    case prefer
    /// TLS always, certificate not verified (libpq semantics).
    case require
    /// TLS always, certificate chain and host name verified.
    case verifyFull = "verify-full"
}
