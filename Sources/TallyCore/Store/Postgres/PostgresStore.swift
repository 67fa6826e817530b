import Foundation
import Logging
import PostgresNIO

/// Tally's store in PostgreSQL, through a postgres-nio connection pool.
///
/// The pool's `run()` lives in a task the store owns and cancels on `close()`. Job locks use their own
/// connections (a session advisory lock lives as long as its session).
final class PostgresStore: TallyStore {
    let backend = StoreBackend.postgres
    let client: PostgresClient
    let location: DatabaseLocation.PostgresLocation
    let connectionConfiguration: PostgresConnection.Configuration
    let prefix: String
    let usageSQL: UsageSQL
    let logger: Logger
    private let runTask: Task<Void, Never>

    private init(
        client: PostgresClient, location: DatabaseLocation.PostgresLocation,
        connectionConfiguration: PostgresConnection.Configuration, configuration: StoreConfiguration, logger: Logger,
        runTask: Task<Void, Never>
    ) {
        self.client = client
        self.location = location
        self.connectionConfiguration = connectionConfiguration
        self.prefix = configuration.tablePrefix
        self.usageSQL = UsageSQL(backend: .postgres, usageQuery: configuration.effectiveUsageQuery)
        self.logger = logger
        self.runTask = runTask
    }

    /// Connects once to check the server and the credentials and to run the migrations, then starts the pool.
    static func open(_ location: DatabaseLocation.PostgresLocation, configuration: StoreConfiguration, logger: Logger) async throws -> PostgresStore {
        let tls = try PostgresTLS(location: location)
        let connectionConfiguration = try tls.connectionConfiguration(for: location)
        let connection = try await PostgresStore.connect(connectionConfiguration, location: location, logger: logger)
        do {
            if configuration.requiresAppDatabase {
                try await checkAppDatabase(connection, location: location, configuration: configuration, logger: logger)
            }
            try await PostgresMigrator(prefix: configuration.tablePrefix, logger: logger).migrate(connection)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
        var poolConfiguration = tls.clientConfiguration(for: location)
        poolConfiguration.options.maximumConnections = max(1, configuration.poolSize)
        poolConfiguration.options.minimumConnections = 0
        let client = PostgresClient(configuration: poolConfiguration, backgroundLogger: logger)
        // Wait until the pool's task has started, so the first query never leases before `run()` began.
        let (started, signalStart) = AsyncStream<Void>.makeStream()
        let runTask = Task {
            signalStart.finish()
            await client.run()
        }
        for await _ in started {}
        logger.debug("opened store", metadata: ["backend": "postgres", "database": "\(location.maskedURL)"])
        return PostgresStore(
            client: client, location: location, connectionConfiguration: connectionConfiguration,
            configuration: configuration, logger: logger, runTask: runTask
        )
    }

    func close() async throws {
        runTask.cancel()
        await runTask.value
    }

    func tableNames() async throws -> Set<String> {
        let rows = try await client.query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
            logger: logger
        )
        var names = Set<String>()
        for try await name in rows.decode(String.self) { names.insert(name) }
        return names
    }

    func appliedMigrations() async throws -> [String] {
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: "SELECT identifier FROM \(prefix)schema_migrations ORDER BY applied_order"),
            logger: logger
        )
        var identifiers: [String] = []
        for try await identifier in rows.decode(String.self) { identifiers.append(identifier) }
        return identifiers
    }
}
