import ArgumentParser
import Foundation
import Logging
import TallyCore
import TallySandbox

/// `tally-bench client`: the Stripe client's concurrency over curl's multi interface, and its rate limiter,
/// against the in-process simulator.
struct ClientBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Stripe client: concurrent requests on one curl thread, and the client-side rate limit."
    )

    @Option(help: "Requests in the concurrency run.")
    var requests = 200

    @Option(help: "Requests in flight at once in the concurrency run.")
    var concurrency = 50

    @Option(help: "Latency the simulator adds to every response, in milliseconds.")
    var latencyMs = 100

    @Option(help: "Requests in the rate-limit run (more than one second's worth: the first second's go at once).")
    var rateRequests = 300

    @Option(help: "Client-side rate limit for the rate-limit run, requests per second.")
    var rate = 50.0

    @Flag(help: "Skip the sequential baseline (it takes requests x latency).")
    var skipBaseline = false

    func run() async throws {
        let key = "sk_test_bench"
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [key]))
        try await simulator.start()
        let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
        var quiet = Logger(label: "tally.bench")
        quiet.logLevel = .error
        let transport = CurlTransport()

        func client(rate: Double, concurrency: Int) -> StripeClient {
            StripeClient(configuration: StripeClientConfiguration(
                apiKey: Secret(key), apiBase: simulator.baseURL, maxRequestsPerSecond: rate,
                maxConcurrentRequests: concurrency), transport: transport, logger: quiet)
        }

        // (a) Concurrency: every response takes latencyMs; ideal wall time is requests / concurrency x latency.
        simulator.setFaults(FaultPlan(latency: .milliseconds(latencyMs)))
        let concurrent = client(rate: 0, concurrency: concurrency)
        _ = try await Self.fetch(meter.id, count: concurrency, with: concurrent)  // warm the connection cache
        let concurrentTime = try await Self.fetch(meter.id, count: requests, with: concurrent)
        let ideal = Double(requests) / Double(concurrency) * Double(latencyMs) / 1000
        var sequentialTime: Double?
        if !skipBaseline {
            let start = ContinuousClock.now
            for _ in 0..<requests { _ = try await concurrent.meter(id: meter.id) }
            sequentialTime = (ContinuousClock.now - start).timeInterval
        }

        // (b) Rate limit: no latency, the client alone holds the pace. The bucket holds one second's worth
        // (`StripeRateLimits`: Stripe's shape), which goes at once; the rest is paced, so the rate
        // is measured over the requests after the burst: the last leaves (requests - burst) / rate after the first.
        simulator.setFaults(FaultPlan())
        let limited = client(rate: rate, concurrency: concurrency)
        let burst = max(1, Int(rate.rounded(.down)))
        let limitedTime = try await Self.fetch(meter.id, count: rateRequests, with: limited)
        let throughput = Double(max(0, rateRequests - burst)) / limitedTime
        try await simulator.shutdown()

        let ratio = concurrentTime / ideal
        let deviation = abs(throughput - rate) / rate
        print("| run | requests | setting | wall time | result | target |")
        print("|---|---|---|---|---|---|")
        print("| (a) StripeClient over CurlTransport | \(requests) | \(concurrency) in flight, \(latencyMs) ms latency | \(Self.seconds(concurrentTime)) | \(String(format: "%.2f", ratio))x ideal (\(Self.seconds(ideal))) | <= 1.25x \(ratio <= 1.25 ? "✓" : "✗") |")
        if let sequentialTime {
            print("| (a) baseline: sequential loop | \(requests) | 1 in flight, \(latencyMs) ms latency | \(Self.seconds(sequentialTime)) | \(String(format: "%.1f", sequentialTime / concurrentTime))x slower than (a) | contrast |")
        }
        print("| (b) rate limiter | \(rateRequests) | \(Int(rate))/s, burst \(burst) (one second's worth), no latency | \(Self.seconds(limitedTime)) | \(String(format: "%.1f", throughput)) req/s after the burst (\(String(format: "%+.1f", (throughput - rate) / rate * 100)) %) | within 10 % \(deviation <= 0.10 ? "✓" : "✗") |")
    }

    /// Issues `count` meter fetches at once (the client caps how many are in flight); returns the wall time in seconds.
    static func fetch(_ meterID: String, count: Int, with client: StripeClient) async throws -> Double {
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask { _ = try await client.meter(id: meterID) }
            }
            try await group.waitForAll()
        }
        return (ContinuousClock.now - start).timeInterval
    }

    static func seconds(_ value: Double) -> String { String(format: "%.3f s", value) }
}
