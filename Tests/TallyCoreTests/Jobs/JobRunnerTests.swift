import Foundation
import Logging
import Testing
import TallyTestKit
@testable import TallyCore

@Suite("Job runner: one run at a time, a record of every run, the documented exit code")
struct JobRunnerTests {
    func runner(_ store: any TallyStore, metrics: URL? = nil, health: RecordingPinger? = nil, clock: ManualClock = ManualClock()) -> JobRunner {
        JobRunner(job: "reconcile", store: store, logger: Logger(label: "test"), clock: clock,
                  metrics: metrics.map(MetricsFileWriter.init(directory:)), healthCheck: health)
    }

    @Test("a clean run exits 0 and is recorded with its counts and summary", arguments: StoreBackendUnderTest.all)
    func cleanRun(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let status = await runner(store).run(arguments: "--since 2026-11-01", dryRun: true) { _ in
                JobReport(itemsProcessed: 12, summary: "12 customers, no discrepancy")
            }
            #expect(status == .ok)
            let run = try #require(try await store.recentRuns(job: "reconcile", limit: 1).first)
            #expect(run.status == .succeeded)
            #expect(run.dryRun)
            #expect(run.arguments == "--since 2026-11-01")
            #expect(run.outcome?.itemsProcessed == 12)
            #expect(run.outcome?.summary == "12 customers, no discrepancy")
            #expect(run.outcome?.exitCode == 0)
        }
    }

    @Test("findings for a human exit 1; a failing use-case exits with its error's code", arguments: StoreBackendUnderTest.all)
    func findingsAndFailures(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let findings = await runner(store).run(arguments: "", dryRun: false) { _ in
                JobReport(itemsProcessed: 3, itemsFailed: 1, summary: "1 row skipped")
            }
            #expect(findings == .needsHuman)
            let failed = await runner(store).run(arguments: "", dryRun: false) { _ in
                throw ConfigurationError(key: "STRIPE_METER_ID", problem: "is not set", fix: "export it")
            }
            #expect(failed == .configuration)
            let runs = try await store.recentRuns(job: "reconcile", limit: 2)
            #expect(runs.map(\.status) == [.failed, .needsHuman])
            #expect(runs.first?.outcome?.summary.contains("STRIPE_METER_ID") == true)
        }
    }

    @Test("an interrupted run is recorded as interrupted and exits 75", arguments: StoreBackendUnderTest.all)
    func interrupted(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let flag = InterruptFlag()
            let status = await runner(store).run(arguments: "", dryRun: false) { _ in
                flag.request(signal: SIGTERM)
                try flag.check()
                return JobReport(summary: "unreachable")
            }
            #expect(status == .temporaryFailure)
            let run = try #require(try await store.recentRuns(job: "reconcile", limit: 1).first)
            #expect(run.status == .interrupted)
            #expect(run.outcome?.summary.contains("SIGTERM") == true)
        }
    }

    @Test("while one run holds the lock, a second exits 75 without running or recording anything", arguments: StoreBackendUnderTest.all)
    func lockContention(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, location in
            let held = try #require(try await store.tryLock(job: "reconcile"))
            // A second store is a second process, or on PostgreSQL a second host.
            let other = try await openStore(StoreConfiguration(location: location), logger: Logger(label: "other"))
            let status = await runner(other).run(arguments: "", dryRun: false) { _ in
                Issue.record("the second run must not start")
                return JobReport(summary: "")
            }
            #expect(status == .temporaryFailure)
            #expect(try await other.recentRuns(job: "reconcile", limit: 5).isEmpty)
            await held.release()
            let after = await runner(other).run(arguments: "", dryRun: false) { _ in JobReport(summary: "ok") }
            #expect(after == .ok)
            try await other.close()
        }
    }

    @Test("the metrics file is Prometheus text, replaced atomically, keeping the last success across a failure")
    func metricsFile() async throws {
        try await StoreBackendUnderTest.sqlite.withStore { store, _ in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-metrics-\(UUID().uuidString)")
            let clock = ManualClock(now: Date(timeIntervalSince1970: 1_795_000_000))
            _ = await runner(store, metrics: directory, clock: clock).run(arguments: "", dryRun: false) { _ in
                clock.advance(by: 4)
                return JobReport(itemsProcessed: 7, summary: "ok")
            }
            clock.advance(by: 3_600)
            _ = await runner(store, metrics: directory, clock: clock).run(arguments: "", dryRun: false) { _ in
                throw StoreUnavailable(target: "127.0.0.1:5432", reason: "down")
            }
            let text = try String(contentsOf: directory.appendingPathComponent("tally_reconcile.prom"), encoding: .utf8)
            #expect(text.contains("tally_job_last_success_timestamp_seconds{job=\"reconcile\"} 1795000004.000"))
            #expect(text.contains("tally_job_last_run_timestamp_seconds{job=\"reconcile\"} 1795003604.000"))
            #expect(text.contains("tally_job_exit_code{job=\"reconcile\"} 69"))
            #expect(text.contains("# TYPE tally_job_duration_seconds gauge"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["tally_reconcile.prom"])
        }
    }

    @Test("the health check hears the start and the exit code")
    func healthPings() async throws {
        try await StoreBackendUnderTest.sqlite.withStore { store, _ in
            let pinger = RecordingPinger()
            _ = await runner(store, health: pinger).run(arguments: "", dryRun: false) { _ in
                JobReport(needsHuman: true, summary: "2 discrepancies")
            }
            #expect(pinger.events == [.start, .finished(.needsHuman)])
            #expect(pinger.events.map(\.pathSuffix) == ["/start", "/1"])
        }
    }
}

/// Keeps the pings it receives.
final class RecordingPinger: HealthCheckPinger, @unchecked Sendable {
    private let lock = NSLock()
    private var received: [HealthCheckEvent] = []
    var events: [HealthCheckEvent] { lock.withLock { received } }
    func ping(_ event: HealthCheckEvent) async { lock.withLock { received.append(event) } }
}
