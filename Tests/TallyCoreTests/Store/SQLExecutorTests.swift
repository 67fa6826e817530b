import Foundation
import Testing
@testable import TallyCore
import TallyTestKit

@Suite("One SQL statement for both backends")
struct SQLExecutorTests {
    @Test("an interpolated value is a parameter, numbered for PostgreSQL and positional for SQLite")
    func markers() {
        let prefix = "tally_"
        let statement: SQLStatement = "SELECT id FROM \(raw: prefix)job_runs WHERE job = \("it's") AND id IN (\(list: [1, 2])) LIMIT \(5)"

        #expect(statement.sql(for: .sqlite) == "SELECT id FROM tally_job_runs WHERE job = ? AND id IN (?, ?) LIMIT ?")
        #expect(statement.sql(for: .postgres) == "SELECT id FROM tally_job_runs WHERE job = $1 AND id IN ($2, $3) LIMIT $4")
        #expect(statement.arguments == [.text("it's"), .integer(1), .integer(2), .integer(5)])
    }

    @Test("a multi-row insert binds every value of every row, in order")
    func multiRowInsert() {
        let statement = SQLStatement.insert(into: "t", columns: ["a", "b"], rows: [[1, "x"], [2, Optional<String>.none]],
                                            suffix: "ON CONFLICT DO NOTHING")
        #expect(statement.sql(for: .postgres) == "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)\nON CONFLICT DO NOTHING")
        #expect(statement.arguments == [.integer(1), .text("x"), .integer(2), .null])
    }

    @Test("text, NULL, 64-bit integers, reals and booleans read back as they were bound", arguments: StoreBackendUnderTest.all)
    func roundTrip(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let sql = try #require(store as? SQLStore).sql
            let text = "O'Brien; DROP TABLE teams; -- ü"
            let row = try #require(try await sql.queryOne("""
                SELECT CAST(\(text) AS TEXT) AS t, CAST(\(Optional<String>.none) AS TEXT) AS n,
                       CAST(\(Int64.max) AS BIGINT) AS big, CAST(\(-2.5) AS DOUBLE PRECISION) AS r, \(true) AS flag
                """))
            #expect(try row["t"] as String == text)
            #expect(try row["n"] as String? == nil)
            #expect(try row["big"] as Int64 == Int64.max)
            #expect(try row["r"] as Double == -2.5)
            #expect(try row["flag"] as Bool)
        }
    }

    @Test("a value read as a type it is not is an error naming the column, never a guess", arguments: StoreBackendUnderTest.all)
    func wrongType(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let sql = try #require(store as? SQLStore).sql
            let row = try #require(try await sql.queryOne("SELECT CAST('12abc' AS TEXT) AS tokens"))
            let error = try #require(throws: SQLRowDecodingError.self) { try row["tokens"] as Int64 }
            #expect(error.column == "tokens")
            #expect(error.description == "column tokens holds text, not an integer")
        }
    }

    @Test("a transaction that throws leaves nothing behind and rethrows its own error", arguments: StoreBackendUnderTest.all)
    func rollback(backend: StoreBackendUnderTest) async throws {
        struct Refused: Error {}
        try await backend.withStore { store, _ in
            let sql = try #require(store as? SQLStore).sql
            await #expect(throws: Refused.self) {
                try await sql.transaction { sql in
                    try await sql.execute("""
                        INSERT INTO tally_job_runs (job, started_at, arguments, dry_run, status)
                        VALUES ('tally-retry', 0, '', \(false), 'running')
                        """)
                    throw Refused()
                }
            }
            #expect(try await store.recentRuns(job: "tally-retry", limit: 5).isEmpty)
        }
    }

    @Test("no other statement runs inside an open transaction: a reader sees none or all of its rows", arguments: StoreBackendUnderTest.all)
    func isolation(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let sql = try #require(store as? SQLStore).sql
            let counted = try await sql.transaction { tx in
                try await tx.execute("INSERT INTO tally_job_runs (job, started_at, arguments, dry_run, status) VALUES ('a', 0, '', \(false), 'running')")
                // A reader outside the transaction starts while it is open…
                let reader = Task { try await sql.queryOne("SELECT COUNT(*) AS n FROM tally_job_runs")?["n"] as Int64? }
                for _ in 0..<20 { await Task.yield() }
                try await tx.execute("INSERT INTO tally_job_runs (job, started_at, arguments, dry_run, status) VALUES ('b', 0, '', \(false), 'running')")
                return reader
            }
            // …and sees the state before it (PostgreSQL) or after it (SQLite waits its turn), never half of it.
            let seen = try #require(try await counted.value)
            #expect(seen == 0 || seen == 2)
        }
    }
}
