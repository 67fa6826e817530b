import Logging

/// Opens the store the configuration's location names, running Tally's migrations.
///
/// Throws `ConfigurationError` (exit 78) for a bad location or credentials and `StoreUnavailable`
/// (exit 69) when the server cannot be reached.
public func openStore(_ configuration: StoreConfiguration, logger: Logger) async throws -> any TallyStore {
    switch configuration.location {
    case .sqlite(let location):
        return try await SQLiteStore.open(location, configuration: configuration, logger: logger)
    case .postgres(let location):
        return try await PostgresStore.open(location, configuration: configuration, logger: logger)
    }
}
