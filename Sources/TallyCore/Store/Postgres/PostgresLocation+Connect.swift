import Logging
import PostgresNIO

extension DatabaseLocation.PostgresLocation {
    /// Opens one connection with this location's TLS mode, mapping failures to `ConfigurationError`
    /// (exit 78) or `StoreUnavailable` (exit 69). For tools and tests that need raw SQL; jobs use the store.
    public func connect(logger: Logger) async throws -> PostgresConnection {
        let configuration = try PostgresTLS(location: self).connectionConfiguration(for: self)
        return try await PostgresDatabase.connect(configuration, location: self, logger: logger)
    }
}
