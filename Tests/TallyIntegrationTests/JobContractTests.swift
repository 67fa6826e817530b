import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// The promises every job executable makes to cron, checked on the real `tally-events` binary against the
/// simulator over loopback and a SQLite file: exit codes, the lock, signals, and secrets.
@Suite("Job executables keep cron's contract", .serialized)
struct JobContractTests {
    /// A key only this suite uses, so finding its bytes anywhere means it leaked.
    static let apiKey = "sk_test_contract_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

    struct Harness {
        var simulator: StripeSimulator
        var directory: URL
        var environment: [String: String]
        var database: DatabaseLocation

        /// Runs `body` with a harness whose jobs use a fresh database of `backend`.
        static func with(_ backend: StoreBackendUnderTest, faults: FaultPlan = FaultPlan(), _ body: (Harness) async throws -> Void) async throws {
            try await backend.withFreshDatabase { location in
                // A job runs only against the app's database: give it the app's (empty) tables.
                try await SampleAppDatabase.create(at: location)
                var harness = try await start(faults: faults)
                harness.database = location
                switch location {
                case .postgres(let postgres): harness.environment["DATABASE_URL"] = postgres.revealedURL
                case .sqlite(.file(let path)): harness.environment["DATABASE_URL"] = "sqlite:\(path)"
                case .sqlite(.memory): Issue.record("a job process needs a database file")
                }
                do {
                    try await body(harness)
                } catch {
                    await harness.stop()
                    throw error
                }
                await harness.stop()
            }
        }

        static func start(faults: FaultPlan = FaultPlan()) async throws -> Harness {
            let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [JobContractTests.apiKey], startTime: Date(), faults: faults))
            let port = try await simulator.start()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-contract-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try await SampleAppDatabase.create(at: .sqlite(.file(path: directory.appendingPathComponent("tally.sqlite").path)))
            return Harness(simulator: simulator, directory: directory, database: .sqlite(.file(path: directory.appendingPathComponent("tally.sqlite").path)), environment: [
                "STRIPE_API_BASE": "http://127.0.0.1:\(port)",
                "STRIPE_SECRET_KEY": JobContractTests.apiKey,
                "DATABASE_URL": "sqlite:\(directory.appendingPathComponent("tally.sqlite").path)",
                "REPORTS_DIR": directory.appendingPathComponent("reports").path,
                "LOG_LEVEL": "trace",
            ])
        }

        init(simulator: StripeSimulator, directory: URL, database: DatabaseLocation, environment: [String: String]) {
            self.simulator = simulator
            self.directory = directory
            self.database = database
            self.environment = environment
        }

        func run(_ extra: [String: String] = [:], arguments: [String] = [], executable: String = "tally-events",
                 onStart: @Sendable (Int32) async -> Void = { _ in }) async throws -> JobProcess.Result {
            try await JobProcess.run(try JobProcess.builtExecutable(executable), arguments: arguments,
                                     environment: environment.merging(extra) { $1 }, currentDirectory: directory,
                                     timeout: .seconds(90), onStart: onStart)
        }

        func stop() async {
            try? await simulator.shutdown()
            try? FileManager.default.removeItem(at: directory)
        }

        /// Gives the account enough history (customers and subscriptions: several pages of events) that a run
        /// with added latency is still busy after its first answered request.
        func seedBusyAccount() throws {
            let product = simulator.state.createProduct(name: "Seats")
            let price = try simulator.state.createPrice(product: product.id, unitAmount: 1_000)
            for index in 0..<150 {
                let customer = simulator.state.createCustomer(email: "c\(index)@example.com", name: "Customer \(index)")
                try simulator.state.createSubscription(customer: customer.id, items: [(price.id, 1)])
            }
        }

        /// Waits (bounded) until the simulator has answered a request: the job has its lock and is working.
        func waitForFirstRequest() async throws {
            for _ in 0..<2_000 where simulator.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            try #require(!simulator.requests.isEmpty, "the job never called the simulator")
        }
    }

    @Test("a bad setting exits 78 and names the key and the fix, before anything else happens")
    func badSetting() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let result = try await harness.run(["STRIPE_MAX_RPS": "lots"])
        #expect(result.exitCode == 78)
        #expect(result.stderr.contains("STRIPE_MAX_RPS"))
        #expect(result.stderr.contains("set STRIPE_MAX_RPS to a number"))
        #expect(harness.simulator.requests.isEmpty)
    }

    @Test("a run that cannot start still reaches monitoring: the health ping and the metrics file carry its code",
          arguments: [("STRIPE_MAX_RPS", "lots", Int32(78)), ("DATABASE_URL", "postgres://tally@127.0.0.1:1/app", Int32(69))])
    func startFailuresReachMonitoring(setting: String, value: String, code: Int32) async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let metrics = harness.directory.appendingPathComponent("metrics")
        // The simulator records every request, so it stands in for the health-check service.
        let result = try await harness.run([setting: value, "METRICS_DIR": metrics.path,
                                            "HEALTHCHECK_URL": "\(harness.simulator.baseURL)/ping/check-1"])

        #expect(result.exitCode == code, "\(result.stderr)")
        #expect(harness.simulator.requests.contains { $0.method == "POST" && $0.path == "/ping/check-1/\(code)" },
                "\(harness.simulator.requests.map(\.path))")
        let text = try String(contentsOf: metrics.appendingPathComponent("tally_events.prom"), encoding: .utf8)
        #expect(text.contains("tally_job_exit_code{job=\"events\"} \(code)"), "\(text)")
    }

    @Test("a bad --since is a usage error (64)")
    func badUsage() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let result = try await harness.run(arguments: ["--since", "yesterday"])
        #expect(result.exitCode == 64)
        #expect(result.stderr.contains("--since"))
    }

    @Test("five jobs started at once on a never-migrated database: migrations take turns, each run works or waits its turn (75)")
    func concurrentFirstRuns() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let results = try await withThrowingTaskGroup(of: JobProcess.Result.self) { group in
            for _ in 0..<5 { group.addTask { try await harness.run() } }
            var all: [JobProcess.Result] = []
            for try await result in group { all.append(result) }
            return all
        }
        for result in results {
            #expect(result.exitCode == 0 || result.exitCode == 75, "\(result.exitCode): \(result.stderr)")
            #expect(!result.stderr.contains("already exists") && !result.stderr.contains("duplicate column"), "\(result.stderr)")
            if result.exitCode == 75 { #expect(result.stderr.contains("holds the lock"), "\(result.stderr)") }
        }
        #expect(results.contains { $0.exitCode == 0 })
    }

    @Test("a second run while the first holds the lock exits 75 at once and leaves the first alone", arguments: StoreBackendUnderTest.all)
    func lockContention(backend: StoreBackendUnderTest) async throws {
        try await Harness.with(backend, faults: FaultPlan(latency: .seconds(1))) { harness in
            try harness.seedBusyAccount()
            async let first = harness.run()
            try await harness.waitForFirstRequest()
            let requestsBefore = harness.simulator.requests.count

            let second = try await harness.run()

            #expect(second.exitCode == 75)
            #expect(second.stderr.contains("holds the lock"))
            #expect(harness.simulator.requests.count == requestsBefore, "the second run must not call Stripe")
            let firstResult = try await first
            #expect(firstResult.exitCode == 0, "\(firstResult.stderr)")
        }
    }

    @Test("SIGTERM finishes the current item, records the run as interrupted, and exits 75", arguments: StoreBackendUnderTest.all)
    func interrupted(backend: StoreBackendUnderTest) async throws {
        try await Harness.with(backend, faults: FaultPlan(latency: .seconds(1))) { harness in
            try harness.seedBusyAccount()
            let simulator = harness.simulator
            let result = try await harness.run(onStart: { pid in
                for _ in 0..<2_000 where simulator.requests.isEmpty { try? await Task.sleep(for: .milliseconds(10)) }
                kill(pid, SIGTERM)
            })
            #expect(result.exitCode == 75, "\(result.stderr)")
            let store = try await openStore(StoreConfiguration(location: harness.database), logger: .init(label: "test"))
            let runs = try await store.recentRuns(job: "events", limit: 5)
            try await store.close()
            #expect(runs.first?.status == .interrupted)
            #expect(runs.first?.outcome?.exitCode == 75)
        }
    }

    @Test("when Stripe keeps failing, the circuit breaker stops the job with exit 69")
    func circuitBreaker() async throws {
        let harness = try await Harness.start(faults: FaultPlan(errorRate: 1.0))
        defer { Task { await harness.stop() } }
        let result = try await harness.run(["STRIPE_CIRCUIT_BREAKER_THRESHOLD": "1", "STRIPE_MAX_ATTEMPTS": "2"])
        #expect(result.exitCode == 69, "\(result.stderr)")
        #expect(result.stderr.contains("Stripe is unavailable"))
    }

    @Test("a rejected API key exits 78 and names STRIPE_SECRET_KEY")
    func rejectedKey() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let result = try await harness.run(["STRIPE_SECRET_KEY": "sk_test_not_the_right_one_123"])
        #expect(result.exitCode == 78, "\(result.stderr)")
        #expect(result.stderr.contains("STRIPE_SECRET_KEY"))
        #expect(!result.stderr.contains("sk_test_not_the_right_one_123"))
    }

    @Test("the API key is absent from every byte a run writes: output, logs, the database, reports")
    func keyNeverWritten() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        harness.simulator.state.createCustomer(email: "a@example.com", name: "Acme")
        var output = ""
        for extra in [["LOG_FORMAT": "json"], ["LOG_FORMAT": "text"], ["STRIPE_MAX_RPS": "nope"]] {
            let result = try await harness.run(extra, arguments: ["--dry-run"])
            output += result.stdout + result.stderr
        }
        let failing = try await Harness.start(faults: FaultPlan(errorRate: 1.0))
        defer { Task { await failing.stop() } }
        var failingEnvironment = failing.environment
        failingEnvironment["STRIPE_MAX_ATTEMPTS"] = "1"
        let failed = try await JobProcess.run(try JobProcess.builtExecutable("tally-events"), environment: failingEnvironment, timeout: .seconds(60))
        output += failed.stdout + failed.stderr

        #expect(!output.isEmpty)
        #expect(!output.contains(Self.apiKey))
        for directory in [harness.directory, failing.directory] {
            let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
            #expect(!files.isEmpty)
            for file in files where !file.hasDirectoryPath {
                let bytes = (try? Data(contentsOf: file)) ?? Data()
                #expect(bytes.range(of: Data(Self.apiKey.utf8)) == nil, "the key leaked into \(file.lastPathComponent)")
            }
        }
    }

    // MARK: - Exit codes and messages a sysadmin meets first (issue 13)

    static let executables = ["tally-events", "tally-reconcile", "tally-retry", "tally-alerts", "tally-report"]

    @Test("Stripe unreachable (nothing listens at STRIPE_API_BASE) exits 69 naming STRIPE_API_BASE, not 75")
    func unreachable() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let closed = try FreePort.find()
        let result = try await harness.run(["STRIPE_API_BASE": "http://127.0.0.1:\(closed)", "STRIPE_MAX_ATTEMPTS": "1"])
        #expect(result.exitCode == 69, "\(result.stderr)")
        #expect(result.stderr.contains("STRIPE_API_BASE=http://127.0.0.1:\(closed)"))
    }

    @Test("a STRIPE_API_BASE that answers but is not Stripe's API (a wrong path) exits 69 naming it, not 65")
    func wrongBase() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let wrong = harness.environment["STRIPE_API_BASE"]! + "/api"
        let result = try await harness.run(["STRIPE_API_BASE": wrong])
        #expect(result.exitCode == 69, "\(result.stderr)")
        #expect(result.stderr.contains("STRIPE_API_BASE=\(wrong) answered GET /v1/events with 404"))
    }

    @Test("an unknown meter id stops reconcile and retry at start with 78 naming STRIPE_METER_ID", arguments: ["tally-reconcile", "tally-retry"])
    func unknownMeter(executable: String) async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let meter = try harness.simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
        let result = try await harness.run(["STRIPE_METER_ID": "\(meter.id),mtr_typo123"], executable: executable)
        #expect(result.exitCode == 78, "\(result.stderr)")
        #expect(result.stderr.contains("STRIPE_METER_ID names mtr_typo123, which Stripe does not know"))
        #expect(!result.stderr.contains("names \(meter.id),"))
    }

    @Test("without DATABASE_URL a job exits 78 naming it, and creates no database in its directory")
    func databaseNotSet() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let workingDirectory = harness.directory.appendingPathComponent("cwd")
        try FileManager.default.createDirectory(at: workingDirectory, withIntermediateDirectories: true)
        var environment = harness.environment
        environment["DATABASE_URL"] = nil
        let result = try await JobProcess.run(try JobProcess.builtExecutable("tally-events"), environment: environment,
                                              currentDirectory: workingDirectory, timeout: .seconds(60))
        #expect(result.exitCode == 78, "\(result.stderr)")
        #expect(result.stderr.contains("DATABASE_URL is not set"))
        #expect(!result.stderr.contains("USAGE_QUERY"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: workingDirectory.path).isEmpty)
        #expect(harness.simulator.requests.isEmpty)
    }

    @Test("a DATABASE_URL naming a missing file exits 78 naming DATABASE_URL, and the file is not created")
    func databaseMissing() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let missing = harness.directory.appendingPathComponent("typo.sqlite").path
        let result = try await harness.run(["DATABASE_URL": "sqlite:\(missing)"], executable: "tally-alerts")
        #expect(result.exitCode == 78, "\(result.stderr)")
        #expect(result.stderr.contains("DATABASE_URL names sqlite:\(missing), which does not exist"))
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test("an env file written for systemd or dotenv runs the job; an unknown key and a garbage line are warned about by line")
    func envFileConventions() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let envFile = harness.directory.appendingPathComponent("tally.env")
        try """
            # written for systemd's EnvironmentFile= and dotenv
            export STRIPE_SECRET_KEY="\(Self.apiKey)"
            STRIPE_API_BASE='\(harness.environment["STRIPE_API_BASE"]!)'
            DATABASE_URL=\(harness.environment["DATABASE_URL"]!)   # the app's database
            STRIPE_METR_ID=mtr_123
            garbage
            """.write(to: envFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: envFile.path)
        var environment = harness.environment
        for key in ["STRIPE_SECRET_KEY", "STRIPE_API_BASE", "DATABASE_URL"] { environment[key] = nil }
        let result = try await JobProcess.run(try JobProcess.builtExecutable("tally-events"), arguments: ["--env-file", envFile.path],
                                              environment: environment, currentDirectory: harness.directory, timeout: .seconds(60))
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stderr.contains("tally-events: warning: \(envFile.path) line 5: STRIPE_METR_ID is not a Tally setting and is ignored; did you mean STRIPE_METER_ID?"))
        #expect(result.stderr.contains("tally-events: warning: \(envFile.path) line 6: is not KEY=value"))
        #expect(!result.stderr.contains(Self.apiKey))
    }

    @Test("a setting that is not set is reported with the env file actually read, not /etc/tally/tally.env")
    func notSetNamesEnvFile() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let envFile = harness.directory.appendingPathComponent("elsewhere.env")
        try "# no STRIPE_METER_ID here\nREPORTS_DIR=\(harness.directory.path)/reports\n".write(to: envFile, atomically: true, encoding: .utf8)
        let result = try await harness.run(arguments: ["--env-file", envFile.path], executable: "tally-reconcile")
        #expect(result.exitCode == 78)
        #expect(result.stderr.contains("STRIPE_METER_ID is not set"))
        #expect(result.stderr.contains("put it in \(envFile.path) (the env file read)"))
        #expect(!result.stderr.contains("/etc/tally/tally.env"))
    }

    @Test("several bad settings are reported together in one message, exit 78")
    func severalBadSettings() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let result = try await harness.run(["STRIPE_MAX_RPS": "lots", "LOG_FORMAT": "xml", "RECONCILE_LOOKBACK_DAYS": "-2"])
        #expect(result.exitCode == 78)
        #expect(result.stderr.contains("3 configuration problems:"))
        for key in ["STRIPE_MAX_RPS", "RECONCILE_LOOKBACK_DAYS", "LOG_FORMAT"] {
            #expect(result.stderr.contains("  - \(key) is "), "\(key) missing from: \(result.stderr)")
        }
        #expect(harness.simulator.requests.isEmpty)
    }

    @Test("a reversed range is a usage error (64) quoting the values given, in every job", arguments: executables)
    func reversedRange(executable: String) async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let result = try await harness.run(arguments: ["--since", "2026-11-20", "--until", "2026-11-10"], executable: executable)
        #expect(result.exitCode == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--since 2026-11-20 is not before --until 2026-11-10"))
        #expect(harness.simulator.requests.isEmpty)
    }

    @Test("--set with a mistyped key is a usage error (64) suggesting the key meant")
    func mistypedSet() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let result = try await harness.run(arguments: ["--set", "REPORT_DIR=/tmp/x"])
        #expect(result.exitCode == 64)
        #expect(result.stderr.contains("(did you mean REPORTS_DIR?)"))
    }

    @Test("tally-reconcile --since in the future is a usage error that blames --since, not an --until nobody passed")
    func sinceAfterDefaultEnd() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let meter = try harness.simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
        let result = try await harness.run(["STRIPE_METER_ID": meter.id], arguments: ["--since", "2099-01-01"], executable: "tally-reconcile")
        #expect(result.exitCode == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--since 2099-01-01"))
        #expect(result.stderr.contains("is not before the end of this job's default range"))
        #expect(!result.stderr.contains("before --until"))
    }

    @Test("--version prints the one version string on every executable", arguments: executables + ["tally-sandbox"])
    func version(executable: String) async throws {
        let result = try await JobProcess.run(try JobProcess.builtExecutable(executable), arguments: ["--version"], environment: [:])
        #expect(result.exitCode == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == TallyVersion.current)
    }

    @Test("--help of every job lists every exit code with its meaning", arguments: executables)
    func helpListsExitCodes(executable: String) async throws {
        let result = try await JobProcess.run(try JobProcess.builtExecutable(executable), arguments: ["--help"], environment: [:])
        #expect(result.exitCode == 0)
        let help = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for status in ExitStatus.allCases {
            let meaning = status.meaning.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(help.contains("\(status.rawValue) \(meaning)"), "\(executable) --help lacks exit \(status.rawValue)")
        }
    }
}
