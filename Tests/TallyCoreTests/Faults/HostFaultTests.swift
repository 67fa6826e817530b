import Foundation
import GRDB
import Logging
import Testing
import TallyTestKit
@testable import TallyCore

/// What the host and the database can do to a run (a kill, a full or read-only disk, an unwritable metrics
/// directory, the app's own data), and how Tally ends up: in the same state as after a clean run, or
/// failing loudly under its documented code.
@Suite("Host and database faults end in a clean state or a loud, documented failure")
struct HostFaultTests {
    static func runner(_ store: any TallyStore, metrics: URL? = nil, outputs: [URL] = []) -> JobRunner {
        JobRunner(job: "reconcile", store: store, logger: Logger(label: "test"), clock: ManualClock(now: Date(timeIntervalSince1970: 1_790_000_000)),
                  metrics: metrics.map(MetricsFileWriter.init(directory:)), outputDirectories: outputs)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tally-faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a killed run left 'running' is marked abandoned by the next run of the job", arguments: StoreBackendUnderTest.all)
    func killedRunIsAbandoned(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            // Given a run that was killed: it never recorded its end
            let killed = try await store.startRun(job: "reconcile", startedAt: Date(timeIntervalSince1970: 1_789_990_000), arguments: "", dryRun: false)
            let otherJob = try await store.startRun(job: "retry", startedAt: Date(timeIntervalSince1970: 1_789_990_000), arguments: "", dryRun: false)

            // When the next run of the job starts
            let status = await Self.runner(store).run(arguments: "", dryRun: false) { _ in JobReport(summary: "clean") }

            // Then the killed one is abandoned, with when and why; another job's run is left alone
            #expect(status == .ok)
            let runs = try await store.recentRuns(job: "reconcile", limit: 5)
            let abandoned = try #require(runs.first { $0.id == killed })
            #expect(abandoned.status == .abandoned)
            #expect(abandoned.outcome?.summary.contains("killed or crashed") == true)
            #expect(try await store.recentRuns(job: "retry", limit: 1).first?.id == otherJob)
            #expect(try await store.recentRuns(job: "retry", limit: 1).first?.status == .running)
        }
    }

    @Test("temporary files a killed run left behind are removed; a live process keeps its own")
    func temporaryFilesSwept() async throws {
        let reports = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let day = reports.appendingPathComponent("2026-11-29")
        try FileManager.default.createDirectory(at: day, withIntermediateDirectories: true)
        // A pid no process has (pid_max is at most 2^22 on Linux).
        let dead = day.appendingPathComponent(".reconciliation.csv.tmp-4194399")
        let live = day.appendingPathComponent(".retry.csv.tmp-\(getpid())")
        let report = day.appendingPathComponent("reconciliation.csv")
        for file in [dead, live, report] { try Data("x".utf8).write(to: file) }

        try await StoreBackendUnderTest.sqlite.withStore { store, _ in
            _ = await Self.runner(store, outputs: [reports]).run(arguments: "", dryRun: false) { _ in JobReport(summary: "ok") }
        }

        #expect(!FileManager.default.fileExists(atPath: dead.path))
        #expect(FileManager.default.fileExists(atPath: live.path))
        #expect(FileManager.default.fileExists(atPath: report.path))
    }

    @Test("an unwritable METRICS_DIR turns a clean run into exit 73; the metrics file is world-readable")
    func metricsFailures() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A regular file where the directory should be: not writable as a directory, even for root.
        let notADirectory = directory.appendingPathComponent("metrics")
        try Data().write(to: notADirectory)

        try await StoreBackendUnderTest.sqlite.withStore { store, _ in
            let blocked = await Self.runner(store, metrics: notADirectory).run(arguments: "", dryRun: false) { _ in JobReport(summary: "ok") }
            #expect(blocked == .cannotCreateOutput)

            let writable = directory.appendingPathComponent("ok")
            let status = await Self.runner(store, metrics: writable).run(arguments: "", dryRun: false) { _ in JobReport(summary: "ok") }
            #expect(status == .ok)
            let attributes = try FileManager.default.attributesOfItem(atPath: writable.appendingPathComponent("tally_reconcile.prom").path)
            #expect((attributes[.posixPermissions] as? Int) == 0o644)
        }
    }

    @Test("a read-only or full database is 'cannot write' (73), not the temporary failure cron ignores")
    func readOnlyDatabase() {
        #expect(DatabaseError(resultCode: .SQLITE_READONLY).tallyExitStatus == .cannotCreateOutput)
        #expect(DatabaseError(resultCode: .SQLITE_FULL).tallyExitStatus == .cannotCreateOutput)
        #expect(DatabaseError(resultCode: .SQLITE_BUSY).tallyExitStatus == .temporaryFailure)
    }

    @Test("the app's orphan rows never stop Tally's migrations, and its journal mode is left as the app set it")
    func appDataAndJournalMode() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("app.sqlite").path
        // Given the app's database in rollback-journal mode, with a usage row whose team was deleted
        try await SampleAppDatabase.create(at: .sqlite(.file(path: path)), app: SampleApp(
            teams: [SampleTeam(id: 1, name: "Acme", stripeCustomerID: "cus_1")],
            usage: [SampleUsage(teamID: 1, userID: nil, tokens: 5, createdAt: Date(timeIntervalSince1970: 1_790_000_000))]))
        var appConfiguration = Configuration()
        appConfiguration.foreignKeysEnabled = false
        let app = try DatabaseQueue(path: path, configuration: appConfiguration)
        try await app.write { db in
            try db.execute(sql: "INSERT INTO token_usage (team_id, action, tokens, created_at) VALUES (99, 'chat', 3, '2026-11-01 10:00:00')")
        }
        try app.close()

        // When Tally opens (and migrates) it and a job runs
        let store = try await openStore(StoreConfiguration(location: .sqlite(.file(path: path))), logger: Logger(label: "test"))
        let status = await Self.runner(store).run(arguments: "", dryRun: false) { _ in JobReport(summary: "ok") }
        try await store.close()

        // Then it migrated, ran, and the journal mode is still the app's
        #expect(status == .ok)
        let check = try DatabaseQueue(path: path)
        let mode = try await check.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "delete")
        try check.close()
    }

    @Test("five first runs at once on a never-migrated database take turns: none fails, the schema is made once")
    func concurrentFirstRuns() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tally.sqlite").path
        let opened = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<5 {
                group.addTask {
                    let store = try await openStore(StoreConfiguration(location: .sqlite(.file(path: path))), logger: Logger(label: "test"))
                    let applied = try await store.appliedMigrations()
                    try await store.close()
                    return applied
                }
            }
            var all: [[String]] = []
            for try await applied in group { all.append(applied) }
            return all
        }
        #expect(opened.count == 5)
        #expect(opened.allSatisfy { $0 == TallyMigration.all.map(\.identifier) })
    }

    @Test("a failed health ping says why, without the URL (a secret)")
    func failedPingSaysWhy() async throws {
        let (logger, lines) = InMemoryLogHandler.logger()
        let url = "https://hc-ping.example/3f1c-secret-uuid"
        let transport = ScriptedTransport([.failure(HTTPTransportError(kind: .other, message: "Could not resolve host: hc-ping.example (\(url)/start)", code: 6))])
        await HTTPHealthCheckPinger(url: Secret(url), transport: transport, logger: logger).ping(.start)

        let line = try #require(lines.all.first { $0.contains("health-check ping") })
        #expect(line.contains("Could not resolve host"), "\(line)")
        #expect(!line.contains("3f1c-secret-uuid"), "\(line)")
    }
}
