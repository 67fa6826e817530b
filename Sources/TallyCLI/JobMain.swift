import Foundation
import Logging
import TallyCore

/// The start-up every job executable shares: settings, logging, store, Stripe client, mailer, signals,
/// the job runner, and the exit code. A job's `main.swift` only names its job, built from the run's
/// `JobComposition`.
public enum JobMain {
    /// Runs the job `makeJob` builds as the job called `job` and exits with the documented code.
    public static func run(
        job: String,
        options: JobOptions,
        requirements: Set<ConfigurationRequirement> = [],
        makeJob: @escaping @Sendable (JobComposition) throws -> any TallyJob
    ) async -> Never {
        let label = "tally-\(job)"
        let configuration: TallyConfiguration
        let sources = ConfigurationSources(
            configFile: options.configFile, environmentFile: options.environmentFile,
            environment: ProcessInfo.processInfo.environment, overrides: options.settingOverrides)
        do {
            configuration = try await ConfigurationLoader.load(
                sources, requirements: requirements.union([.database]),
                warn: { warning in FileHandle.standardError.write(Data("\(label): \(warning)\n".utf8)) })
        } catch {
            await reportStartFailure(job: job, label: label, error: error, sources: sources)
            fail(label, error)
        }
        let secrets = configuration.secretValues
        LoggingSystem.bootstrap { name in
            TallyLogHandler(label: name, format: configuration.log.format, level: configuration.log.level, secrets: secrets)
        }
        let logger = Logger(label: label)

        let transport = CurlTransport()
        let metrics = configuration.output.metricsDirectory.map(MetricsFileWriter.init(directory:))
        let healthCheck = configuration.output.healthcheckURL.map { HTTPHealthCheckPinger(url: $0, transport: transport, logger: logger) }
        let since: Date?
        let until: Date?
        let store: any TallyStore
        do {
            since = try options.since.map { try JobTimeRange.parseInstant($0, flag: "--since") }
            until = try options.until.map { try JobTimeRange.parseInstant($0, flag: "--until") }
            // A job only ever runs against the app's existing database: it never creates an empty one.
            store = try await openStore(try configuration.storeConfiguration(requiringAppDatabase: true), logger: logger)
        } catch {
            // A run that never started still reaches monitoring: the health ping and the metrics file.
            let status = error.tallyExitStatus
            logger.error("\(error)", metadata: ["exit_code": "\(status.rawValue)"])
            await healthCheck?.ping(.finished(status))
            if let metrics {
                do {
                    try await metrics.writeStartFailure(job: job, status: status, at: Date())
                } catch {
                    logger.error("could not write metrics: \(error)")
                }
            }
            exit(status.rawValue)
        }

        let interrupt = InterruptFlag()
        let signals = SignalMonitor(flag: interrupt)
        let runner = JobRunner(
            job: job, store: store, logger: logger, metrics: metrics, healthCheck: healthCheck,
            outputDirectories: [configuration.output.reportsDirectory] + (configuration.output.metricsDirectory.map { [$0] } ?? []))
        let arguments = CommandLine.arguments.dropFirst().joined(separator: " ")
        let status = await runner.run(arguments: arguments, dryRun: options.dryRun) { runID in
            var runLogger = logger
            runLogger[metadataKey: "run_id"] = "\(runID)"
            let stripe = StripeClient(configuration: configuration.stripeClientConfiguration, transport: transport,
                                      recorder: store, logger: runLogger, runID: runID)
            let composition = JobComposition(
                configuration: configuration, store: store, stripe: stripe, http: transport, logger: runLogger,
                interrupt: interrupt, jobRun: JobRun(runID: runID, dryRun: options.dryRun, since: since, until: until))
            do {
                // The job checks its own meters (`ConfiguredMeters`) as its first step.
                let report = try await makeJob(composition).run()
                try? await stripe.flushCallLog()
                return report
            } catch {
                try? await stripe.flushCallLog()
                throw error
            }
        }
        signals.cancel()
        try? await store.close()
        exit(status.rawValue)
    }

    /// A run stopped by its settings still reaches monitoring: `/78` to the health check and the metrics
    /// file, wherever those two settings can be read on their own.
    static func reportStartFailure(job: String, label: String, error: any Error, sources: ConfigurationSources) async {
        let monitoring = await ConfigurationLoader.monitoring(sources)
        let status = error.tallyExitStatus
        let logger = Logger(label: label, factory: { StreamLogHandler.standardError(label: $0) })
        if let url = monitoring.healthcheckURL {
            await HTTPHealthCheckPinger(url: url, transport: CurlTransport(), logger: logger).ping(.finished(status))
        }
        if let directory = monitoring.metricsDirectory {
            do {
                try await MetricsFileWriter(directory: directory).writeStartFailure(job: job, status: status, at: Date())
            } catch {
                FileHandle.standardError.write(Data("\(label): could not write metrics: \(error)\n".utf8))
            }
        }
    }

    /// Reports a start-up failure before logging is configured, and exits with its code.
    static func fail(_ label: String, _ error: any Error) -> Never {
        FileHandle.standardError.write(Data("\(label): \(error)\n".utf8))
        exit(error.tallyExitStatus.rawValue)
    }
}
