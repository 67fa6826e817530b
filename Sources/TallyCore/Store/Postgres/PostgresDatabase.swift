import Foundation
import Logging
import PostgresNIO

/// PostgreSQL through a postgres-nio connection pool, for the SQL store.
///
/// The pool's `run()` lives in a task this owns and cancels on `close()`. Job locks use their own
/// connections (a session advisory lock lives as long as its session).
final class PostgresDatabase: SQLDatabase {
    let client: PostgresClient
    let executor: any SQLExecutor
    let location: DatabaseLocation.PostgresLocation
    let connectionConfiguration: PostgresConnection.Configuration
    let prefix: String
    let logger: Logger
    private let runTask: Task<Void, Never>

    private init(
        client: PostgresClient, location: DatabaseLocation.PostgresLocation,
        connectionConfiguration: PostgresConnection.Configuration, configuration: StoreConfiguration, logger: Logger,
        runTask: Task<Void, Never>
    ) {
        self.client = client
        self.executor = PostgresExecutor(target: .pool(client), logger: logger)
        self.location = location
        self.connectionConfiguration = connectionConfiguration
        self.prefix = configuration.tablePrefix
        self.logger = logger
        self.runTask = runTask
    }

    /// Connects once to check the server and the credentials and to run the migrations, then starts the pool.
    static func open(_ location: DatabaseLocation.PostgresLocation, configuration: StoreConfiguration, logger: Logger) async throws -> PostgresDatabase {
        let tls = try PostgresTLS(location: location)
        let connectionConfiguration = try tls.connectionConfiguration(for: location)
        let connection = try await PostgresDatabase.connect(connectionConfiguration, location: location, logger: logger)
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
        return PostgresDatabase(
            client: client, location: location, connectionConfiguration: connectionConfiguration,
            configuration: configuration, logger: logger, runTask: runTask
        )
    }

    func columnNames(ofTable table: String) async throws -> Set<String> {
        // The app's schema is the app's: only tables on the search path.
        let rows = try await executor.query("""
            SELECT lower(CAST(column_name AS text)) AS name FROM information_schema.columns
            WHERE table_name = \(table) AND table_schema = ANY (current_schemas(false))
            """)
        return Set(try rows.map { try $0["name"] as String })
    }

    /// PostgreSQL runs a long scan in parallel workers itself (`max_parallel_workers_per_gather`).
    func withReaders<T: Sendable>(_ count: Int, _ body: @Sendable ([any SQLExecutor]) async throws -> T) async throws -> T? {
        nil
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
