import Logging

/// Opens the store the configuration's location names, running Tally's migrations.
///
/// Throws `ConfigurationError` (exit 78) for a bad location or credentials and `StoreUnavailable`
/// (exit 69) when the server cannot be reached.
public func openStore(_ configuration: StoreConfiguration, logger: Logger) async throws -> any TallyStore {
    let database: any SQLDatabase = switch configuration.location {
    case .sqlite(let location):
        try await SQLiteDatabase.open(location, configuration: configuration, logger: logger)
    case .postgres(let location):
        try await PostgresDatabase.open(location, configuration: configuration, logger: logger)
    }
    return SQLStore(database: database, configuration: configuration, logger: logger)
}
