import PostgresNIO

extension PostgresDatabase {
    func tryLock(job: String) async throws -> (any JobLock)? {
        let connection = try await PostgresDatabase.connect(connectionConfiguration, location: location, logger: logger)
        do {
            let rows = try await connection.query(
                "SELECT pg_try_advisory_lock(\(PostgresAdvisoryLock.key(for: "job:\(job)")))", logger: logger
            )
            var acquired = false
            for try await granted in rows.decode(Bool.self) { acquired = granted }
            guard acquired else {
                try? await connection.close()
                return nil
            }
            return PostgresAdvisoryLock(connection: connection, logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
