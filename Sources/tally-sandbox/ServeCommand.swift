import ArgumentParser
import Dispatch
import Foundation
import Logging
import TallyCore
import TallySandbox

/// `tally-sandbox serve`: serves the simulator until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the Stripe simulator until SIGTERM or SIGINT.")

    @Option(help: "Address to listen on (loopback unless --allow-remote).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free port; see --port-file).")
    var port = 12111

    @Option(name: .customLong("api-key"), help: "An accepted secret key (repeatable).")
    var apiKeys: [String] = ["sk_test_tally"]

    @Option(name: .customLong("latency-ms"), help: "Latency added to every response, in milliseconds.")
    var latencyMilliseconds: Int = 0

    @Option(help: "Share of requests (0-1) answered with 500 api_error.")
    var errorRate: Double = 0

    @Option(help: "Overall requests per second before 429 rate_limit (live meter events are limited on their own).")
    var rateLimit: Double?

    @Option(help: "Requests that may go at once after a quiet spell (default: one second's worth at --rate-limit).")
    var rateLimitBurst: Int?

    @Option(help: "Meter events per second a live key may send before 429 rate_limit (Stripe: 1000; 0 = unlimited).")
    var meterEventRateLimit: Double = FaultPlan.stripeLiveMeterEventRate

    @Option(help: "Meter events that may go at once after a quiet spell (default: one second's worth at --meter-event-rate-limit).")
    var meterEventBurst: Int?

    @Option(name: .customLong("aggregation-delay"), help: "Seconds before a meter event shows in summaries.")
    var aggregationDelay: Double = 0

    @Option(name: .customLong("start-time"), help: "Simulator clock start as Unix seconds (default: now).")
    var startTime: Int64?

    @Option(help: "Write the bound port to this file once listening (for scripts).")
    var portFile: String?

    @Flag(help: "Allow listening on a non-loopback address.")
    var allowRemote = false

    @Option(name: .customLong("demo-database"),
            help: "Seed the demo: create this sample app database (sqlite:PATH, must not exist) and the matching Stripe account.")
    var demoDatabase: String?

    @Option(name: .customLong("demo-env-file"),
            help: "With --demo-database: write the settings that point Tally at this simulator and database here (mode 0600).")
    var demoEnvFile: String?

    @Option(name: .customLong("demo-config-file"),
            help: "With --demo-database: write the demo's plan allowances (PLANS) here as a YAML config file.")
    var demoConfigFile: String?

    func validate() throws {
        let loopback = ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.")
        guard loopback || allowRemote else {
            throw ValidationError("--host \(host) is not a loopback address: the sandbox has no real security, pass --allow-remote if you really mean it.")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        guard (0...1).contains(errorRate) else { throw ValidationError("--error-rate must be between 0 and 1.") }
        guard latencyMilliseconds >= 0 else { throw ValidationError("--latency-ms must not be negative.") }
        guard rateLimit.map({ $0 > 0 }) ?? true else { throw ValidationError("--rate-limit must be positive.") }
        guard meterEventRateLimit >= 0 else { throw ValidationError("--meter-event-rate-limit must not be negative.") }
        guard [rateLimitBurst, meterEventBurst].allSatisfy({ ($0 ?? 1) >= 1 }) else {
            throw ValidationError("--rate-limit-burst and --meter-event-burst must be at least 1.")
        }
        guard !apiKeys.isEmpty else { throw ValidationError("Pass at least one --api-key.") }
        guard demoEnvFile == nil || demoDatabase != nil else { throw ValidationError("--demo-env-file needs --demo-database.") }
    }

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let faults = FaultPlan(errorRate: errorRate, latency: .milliseconds(latencyMilliseconds), rateLimit: rateLimit,
                               rateLimitBurst: rateLimitBurst,
                               meterEventRateLimit: meterEventRateLimit > 0 ? meterEventRateLimit : nil, meterEventBurst: meterEventBurst)
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(
            apiKeys: Set(apiKeys), startTime: startTime.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date(), aggregationDelay: aggregationDelay, faults: faults,
            logger: Logger(label: "tally.sandbox")))
        let bound = try await simulator.start(host: host, port: port)
        if let demoDatabase {
            do {
                try await DemoSetup(database: demoDatabase, envFile: demoEnvFile, configFile: demoConfigFile, apiKey: apiKeys[0])
                    .seed(simulator, baseURL: "http://\(host == "localhost" ? "127.0.0.1" : host):\(bound)")
            } catch {
                try await simulator.shutdown()
                throw error
            }
        }
        if let portFile {
            do {
                try PortFile(path: portFile).write(port: bound)
            } catch {
                try await simulator.shutdown()
                throw error
            }
        }
        let signal = await TerminationSignal.next()
        FileHandle.standardError.write(Data("tally-sandbox: received \(signal), shutting down\n".utf8))
        try await simulator.shutdown()
    }
}
