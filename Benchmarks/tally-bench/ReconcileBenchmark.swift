import ArgumentParser
import Foundation
import TallyCore
import TallySandbox
import TallyTestKit

/// `tally-bench reconcile`: the real `tally-reconcile` executable, default settings, against a simulator
/// that allows 100 requests a second (a burst of 100) with 40 ms latency, at ¼, ½ and full size (10,000
/// customers and 2 million usage rows over one day at full size, 1 % of the customer-days with a gap).
///
/// The job can take no less than the longer of two things: its Stripe calls at the simulator's rate, and
/// the app's aggregate it compares them with. Each run of the job is interleaved with a run of that
/// aggregate by `sqlite3` on the same file, and each ratio is the job's wall time over the longer of the
/// two, with the calls counted from that very run.
struct ReconcileBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Times tally-reconcile against max(calls/rate, local aggregate), interleaved with sqlite3; reports calls and peak memory.")

    @Option(help: "Customers at full size (each with a team, a metered subscription and usage).")
    var customers = 10_000

    @Option(help: "Usage rows at full size, spread evenly over the customers and days.")
    var rows = 2_000_000

    @Option(help: "UTC days reconciled.")
    var days = 1

    @Option(help: "Share of customer-days with a planted gap (one hour of usage never sent).")
    var gapShare = 0.01

    @Option(help: "The simulator's overall rate limit, requests per second (its burst is one second's worth).")
    var rate = 100.0

    @Option(name: .customLong("latency-ms"), help: "Latency the simulator adds to every request.")
    var latencyMilliseconds = 40

    @Option(parsing: .upToNextOption, help: "Sizes to run, as shares of the full size.")
    var scales: [Double] = [0.25, 0.5, 1]

    @Option(help: "Interleaved pairs (tally-reconcile, sqlite3) per size; the median is reported.")
    var repetitions = 3

    @Option(help: "The tally-reconcile executable (default: next to this benchmark).")
    var executable: String?

    @Flag(help: "Keep the scratch directories and print their paths.")
    var keep = false

    func run() async throws {
        let job = executable ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tally-reconcile").path
        print("| size | customers | rows | tally-reconcile (median) | calls (429s) | calls / \(Int(rate)) per s | sqlite3 aggregate (median) | wall / max(calls/rate, aggregate), median (spread) | calls allowed | peak memory | gaps found / planted | load |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for scale in scales {
            try await measure(scale: scale, job: job)
        }
    }

    private func measure(scale: Double, job: String) async throws {
        let customers = max(1, Int(Double(self.customers) * scale)), rows = max(1, Int(Double(self.rows) * scale))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bench-reconcile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            if keep { print("kept: \(directory.path)") } else { try? FileManager.default.removeItem(at: directory) }
        }
        let world = try await ReconcileBenchWorld.build(in: directory, customers: customers, rows: rows, days: days, gapShare: gapShare)
        let script = directory.appendingPathComponent("aggregate.sql")
        try Data(world.aggregateScript().utf8).write(to: script)
        let reports = directory.appendingPathComponent("reports")
        world.simulator.setFaults(FaultPlan(latency: .milliseconds(latencyMilliseconds), rateLimit: rate))

        var walls: [Double] = [], aggregates: [Double] = [], ideals: [Double] = [], calls: [Int] = [], limited: [Int] = []
        var peak = 0.0
        var found = Set<String>()
        var loads: [String] = []
        for repetition in 0..<repetitions {
            loads.append(Interleaved.loadAverage())
            // Stripe's bucket is full when a night starts: let the simulator's refill after the last run.
            try await Task.sleep(for: .seconds(2))
            let before = world.simulator.requests.count
            let log = directory.appendingPathComponent("reconcile-\(repetition).log").path
            let tally = try await Interleaved.run(world.reconcileCommand(job), environment: world.environment(reports: reports), log: log)
            guard tally.exitCode <= 1 else {
                throw ValidationError("tally-reconcile exited \(tally.exitCode); its log: \(log) (run with --keep)")
            }
            let made = world.simulator.requests.dropFirst(before).filter { $0.path.hasPrefix("/v1/") }
            found = try await world.foundCustomerDays()
            let sqlite = try await Interleaved.run(["/usr/bin/sqlite3", world.database, ".read \(script.path)"])
            guard sqlite.exitCode == 0 else { throw ValidationError("sqlite3 exited \(sqlite.exitCode)") }
            walls.append(tally.seconds)
            aggregates.append(sqlite.seconds)
            calls.append(made.count)
            limited.append(made.filter { $0.status == 429 }.count)
            ideals.append(max(Double(made.count) / rate, sqlite.seconds))
            peak = max(peak, tally.peakMegabytes)
        }
        try await world.simulator.shutdown()
        let gapDays = world.planted.count
        let first = calls.first ?? 0
        print("| \(scale) | \(customers) | \(rows) | \(String(format: "%.1f s", Interleaved.median(walls))) "
              + "| \(calls.map(String.init).joined(separator: ", ")) (\(limited.map(String.init).joined(separator: ", "))) "
              + "| \(String(format: "%.1f s", Double(first) / rate)) | \(String(format: "%.1f s", Interleaved.median(aggregates))) "
              + "| \(Interleaved.ratioText(walls, over: ideals)) | \(customers + 10 * gapDays) "
              + "| \(String(format: "%.0f MB", peak)) | \(found.intersection(world.planted).count) / \(gapDays)\(found.subtracting(world.planted).isEmpty ? "" : " (+\(found.subtracting(world.planted).count) not planted)") "
              + "| \(loads.joined(separator: " ")) |")
    }
}
