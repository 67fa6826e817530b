import ArgumentParser
import Foundation
import TallyCore
import TallySandbox
import TallyTestKit

/// `tally-bench peer`: `tally-reconcile` with default settings against the script a team would write instead
/// (`Benchmarks/peer/reconcile_peer.py`: Stripe's official Python library, 8 threads, per-customer daily
/// summaries), interleaved on the same simulator and data. Both must name the same customer-days; Tally
/// also pins each gap to its hour or minute and classifies it, the script does not.
struct PeerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer",
        abstract: "Times tally-reconcile against the Python peer script, interleaved; checks both find the same customer-days.")

    @Option(help: "Customers, each with a team, a metered subscription and usage.")
    var customers = 300

    @Option(help: "UTC days reconciled.")
    var days = 35

    @Option(help: "Usage rows, spread evenly over the customers and days.")
    var rows = 210_000

    @Option(help: "Share of customer-days with a planted gap (one hour of usage never sent).")
    var gapShare = 0.004

    @Option(help: "The simulator's overall rate limit, requests per second (its burst is one second's worth).")
    var rate = 100.0

    @Option(name: .customLong("latency-ms"), help: "Latency the simulator adds to every request.")
    var latencyMilliseconds = 50

    @Option(help: "Interleaved pairs (tally-reconcile, the peer).")
    var repetitions = 5

    @Option(help: "The Python with the peer's requirements (pip install -r Benchmarks/peer/requirements.txt).")
    var python = "Benchmarks/peer/.venv/bin/python"

    @Option(help: "The peer script.")
    var script = "Benchmarks/peer/reconcile_peer.py"

    @Option(help: "The tally-reconcile executable (default: next to this benchmark).")
    var executable: String?

    @Flag(help: "Keep the scratch directory and print its path.")
    var keep = false

    func run() async throws {
        let job = executable ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tally-reconcile").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ValidationError("no Python at \(python): python3 -m venv Benchmarks/peer/.venv && Benchmarks/peer/.venv/bin/pip install -r Benchmarks/peer/requirements.txt")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bench-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            if keep { print("kept: \(directory.path)") } else { try? FileManager.default.removeItem(at: directory) }
        }
        let world = try await ReconcileBenchWorld.build(in: directory, customers: customers, rows: rows, days: days, gapShare: gapShare)
        world.simulator.setFaults(FaultPlan(latency: .milliseconds(latencyMilliseconds), rateLimit: rate))
        let reports = directory.appendingPathComponent("reports")
        let peerCommand = [python, script, "--api-base", world.simulator.baseURL, "--api-key", ReconcileBenchWorld.key,
                           "--meter", world.meterID, "--database", world.database,
                           "--start", UTCCalendarText.day(world.since), "--end", UTCCalendarText.day(world.until), "--threads", "8"]

        var tallyTimes: [Double] = [], peerTimes: [Double] = [], tallyCalls: [Int] = [], peerCalls: [Int] = []
        var tallyFound = Set<String>(), peerFound = Set<String>()
        var loads: [String] = []
        for repetition in 0..<repetitions {
            loads.append(Interleaved.loadAverage())
            // Stripe's bucket is full when a night starts: let the simulator's refill after the last run.
            try await Task.sleep(for: .seconds(2))
            var before = world.simulator.requests.count
            let tallyLog = directory.appendingPathComponent("tally-\(repetition).log").path
            let tally = try await Interleaved.run(world.reconcileCommand(job), environment: world.environment(reports: reports), log: tallyLog)
            guard tally.exitCode <= 1 else { throw ValidationError("tally-reconcile exited \(tally.exitCode); its log: \(tallyLog) (run with --keep)") }
            tallyCalls.append(world.simulator.requests.dropFirst(before).count)
            tallyFound = try await world.foundCustomerDays()

            try await Task.sleep(for: .seconds(2))
            before = world.simulator.requests.count
            let peerLog = directory.appendingPathComponent("peer-\(repetition).log").path
            let peer = try await Interleaved.run(peerCommand, log: peerLog)
            guard peer.exitCode == 0 else { throw ValidationError("the peer exited \(peer.exitCode); its log: \(peerLog) (run with --keep)") }
            peerCalls.append(world.simulator.requests.dropFirst(before).count)
            peerFound = try Self.peerFindings(peerLog)
            tallyTimes.append(tally.seconds)
            peerTimes.append(peer.seconds)
        }
        try await world.simulator.shutdown()
        let same = tallyFound == peerFound && tallyFound == world.planted
        print("""
            | contender | wall time (median) | calls per run | customer-days found |
            |---|---:|---:|---:|
            | tally-reconcile, default settings | \(String(format: "%.2f s", Interleaved.median(tallyTimes))) | \(tallyCalls.map(String.init).joined(separator: ", ")) | \(tallyFound.count) |
            | reconcile_peer.py, 8 threads | \(String(format: "%.2f s", Interleaved.median(peerTimes))) | \(peerCalls.map(String.init).joined(separator: ", ")) | \(peerFound.count) |

            Tally / peer: \(Interleaved.ratioText(tallyTimes, over: peerTimes)) (target at most 0.80x); \(customers) customers x \(days) days, \(rows) rows, \(world.planted.count) planted customer-days; \(same ? "both found exactly the planted customer-days" : "FINDINGS DIFFER: Tally only \(tallyFound.subtracting(peerFound).sorted().prefix(5)), peer only \(peerFound.subtracting(tallyFound).sorted().prefix(5)), planted \(world.planted.count)"); simulator \(Int(rate)) req/s, \(latencyMilliseconds) ms; load \(loads.joined(separator: " ")).
            """)
        if !same { throw ExitCode(1) }
    }

    /// The customer-days the peer printed, one JSON object a line.
    static func peerFindings(_ log: String) throws -> Set<String> {
        var found = Set<String>()
        for line in try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n") where line.hasPrefix("{\"customer\"") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let customer = object["customer"] as? String, let day = object["day"] as? String else { continue }
            found.insert("\(customer) \(day)")
        }
        return found
    }
}
