import Logging
import PostgresNIO

extension PostgresDatabase {
    /// Checks, on the connection that is about to migrate, that the usage query's tables are in this
    /// database, so Tally's tables are never created in a database that is not the app's.
    static func checkAppDatabase(
        _ connection: PostgresConnection, location: DatabaseLocation.PostgresLocation, configuration: StoreConfiguration, logger: Logger
    ) async throws {
        do {
            _ = try await connection.query(PostgresQuery(unsafeSQL: AppDatabaseCheck.probeSQL(configuration)), logger: logger).collect()
        } catch let error as PSQLError where error.code == .server && error.serverInfo?[.sqlState] == "42P01" {
            let table = AppDatabaseCheck.missingTable(inMessage: error.serverInfo?[.message] ?? "") ?? "(unnamed)"
            throw AppDatabaseCheck.noUsageTable(table, location: .postgres(location), customQuery: configuration.usageQuery != nil)
        } catch is PSQLError {
            // Any other problem with the query is USAGE_QUERY's, reported where the query is used.
        }
    }
}
