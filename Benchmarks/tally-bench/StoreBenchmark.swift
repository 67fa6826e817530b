import ArgumentParser
import Foundation
import Logging
import TallyCore
import TallyTestKit

/// `tally-bench store`: daily usage aggregation through the store vs the database's own CLI running
/// the same SQL on the same data (SQLite vs `sqlite3`, PostgreSQL vs `psql`).
struct StoreBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Times the store's daily usage aggregation against sqlite3 and psql on the same data."
    )

    @Option(help: "Usage rows to insert.")
    var rows = 2_000_000

    @Option(help: "Teams the rows are spread over.")
    var teams = 200

    @Option(help: "Days the rows are spread over.")
    var days = 30

    @Option(help: "Timed repetitions per contender; the median is reported.")
    var repetitions = 3

    @Option(help: "PostgreSQL server (a fresh database is created and dropped); default TALLY_TEST_POSTGRES_URL, none skips PostgreSQL.")
    var postgresURL: String?

    func run() async throws {
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        let end = start.addingTimeInterval(TimeInterval(days * 86_400))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bench-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let sqlitePath = directory.appendingPathComponent("app.sqlite").path
        print("| backend | rows | customer-days | store `dailyUsage` (median) | CLI, same SQL (median) | store / CLI, median (spread) | load |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        try await measure(location: .sqlite(.file(path: sqlitePath)), start: start, end: end) { sql in
            ["/usr/bin/env", "sqlite3", sqlitePath, sql]
        }

        if let url = postgresURL ?? PostgresTestDatabase.serverURL {
            setenv(PostgresTestDatabase.environmentKey, url, 1)
            _ = try await PostgresTestDatabase.withFreshDatabase { location in
                try await measure(location: .postgres(location), start: start, end: end) { sql in
                    ["/usr/bin/env", "psql", location.revealedURL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
                }
            }
        } else {
            print("postgres: skipped (set --postgres-url or TALLY_TEST_POSTGRES_URL)")
        }
    }

    /// Fills the sample app at `location`, then times the store and the CLI on the same query.
    private func measure(location: DatabaseLocation, start: Date, end: Date, cli: (String) -> [String]) async throws {
        let backend = location.backend
        let rows = self.rows, teams = self.teams
        let spacing = TimeInterval(days * 86_400) / TimeInterval(max(1, rows))
        let app = SampleApp(
            teams: (1...teams).map { SampleTeam(id: Int64($0), name: "Team \($0)", stripeCustomerID: "cus_\($0)") },
            users: (1...teams).map { SampleUser(id: Int64($0), name: "User \($0)", email: "user\($0)@example.test") }
        )
        let insertStart = ContinuousClock.now
        try await SampleAppDatabase.create(at: location, app: app)
        try await SampleAppDatabase.insertUsage(count: rows, at: location) { index in
            let team = Int64(index % teams + 1)
            return SampleUsage(
                teamID: team, userID: team, tokens: Int64(1 + (index &* 7_919) % 1_000),
                createdAt: start.addingTimeInterval(spacing * TimeInterval(index)),
                reportedAt: index % 10 == 0 ? nil : start.addingTimeInterval(spacing * TimeInterval(index) + 1)
            )
        }
        let insertDuration = ContinuousClock.now - insertStart
        print("\(backend.rawValue): inserted \(rows) rows in \(insertDuration)")

        // The two contenders interleaved (store, CLI, store, CLI …), so load that comes and goes falls on both.
        let store = try await openStore(StoreConfiguration(location: location), logger: Logger(label: "tally-bench"))
        let sql = Self.literal(UsageSQL(backend: backend, usageQuery: UsageQuery.default(for: backend)).dailyUsage, start: start, end: end, now: end)
        var storeTimes: [Double] = [], cliTimes: [Double] = []
        var groups = 0
        var loads: [String] = []
        for _ in 0..<repetitions {
            loads.append(Interleaved.loadAverage())
            var began = ContinuousClock.now
            let aggregate = try await store.dailyUsage(from: start, to: end, now: end)
            storeTimes.append((ContinuousClock.now - began).timeInterval)
            groups = aggregate.days.count
            began = ContinuousClock.now
            try await Self.runQuietly(cli(sql))
            cliTimes.append((ContinuousClock.now - began).timeInterval)
        }
        try await store.close()
        print("| \(backend.rawValue) | \(rows) | \(groups) | \(String(format: "%.2f s", Interleaved.median(storeTimes))) | \(String(format: "%.2f s", Interleaved.median(cliTimes))) | \(Interleaved.ratioText(storeTimes, over: cliTimes)) | \(loads.joined(separator: " ")) |")
    }

    /// The query with its four parameters written in, for the CLI (the values are integers Tally made; the
    /// fourth, 0, leaves out the rows whose time cannot be read, as `dailyUsage` does by default).
    static func literal(_ sql: String, start: Date, end: Date, now: Date) -> String {
        let values = [start, end, now].map { String(Int64($0.timeIntervalSince1970)) } + ["0"]
        var text = sql
        for (index, value) in values.enumerated().reversed() {
            text = text.replacingOccurrences(of: "?\(index + 1)", with: value).replacingOccurrences(of: "$\(index + 1)", with: value)
        }
        return text
    }

    /// Runs a command with its output discarded, waiting through the termination handler so no thread blocks.
    static func runQuietly(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else { throw ExitCode(status) }
    }
}
