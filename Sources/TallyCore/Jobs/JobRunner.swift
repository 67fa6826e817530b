import Foundation
import Logging

/// Runs one job the way cron needs: one run at a time, a run record, a summary line, metrics, a health
/// ping, and an exit code from the documented table whatever happens inside.
public struct JobRunner: Sendable {
    public var job: String
    /// The run records and the job's lock.
    public var store: any JobRunStore & JobLockProvider
    public var logger: Logger
    public var clock: any TallyClock
    public var metrics: MetricsFileWriter?
    public var healthCheck: (any HealthCheckPinger)?
    /// Where this job writes files (reports, metrics): a killed run's temporary files there are removed.
    public var outputDirectories: [URL]

    public init(job: String, store: any JobRunStore & JobLockProvider, logger: Logger, clock: any TallyClock = SystemClock(),
                metrics: MetricsFileWriter? = nil, healthCheck: (any HealthCheckPinger)? = nil,
                outputDirectories: [URL] = []) {
        self.job = job
        self.store = store
        self.logger = logger
        self.clock = clock
        self.metrics = metrics
        self.healthCheck = healthCheck
        self.outputDirectories = outputDirectories
    }

    /// Takes the job's lock, records the run, calls `body` with the new run id, and records how it ended.
    /// Returns the exit status; it never throws, so the caller only has to exit with it.
    public func run(
        arguments: String,
        dryRun: Bool,
        body: @Sendable (_ runID: Int64) async throws -> JobReport
    ) async -> ExitStatus {
        let lock: any JobLock
        do {
            guard let held = try await store.tryLock(job: job) else {
                logger.warning("another \(job) run holds the lock; this run exits without doing anything, try later",
                               metadata: ["exit_code": "\(ExitStatus.temporaryFailure.rawValue)"])
                return .temporaryFailure
            }
            lock = held
        } catch {
            logger.error("could not take the \(job) lock: \(error)")
            return error.tallyExitStatus
        }

        let started = clock.now()
        await healthCheck?.ping(.start)
        // Holding the lock, no other run of this job is alive: a run still marked running was killed.
        do {
            let abandoned = try await store.abandonRuns(job: job, at: started)
            if abandoned > 0 {
                logger.warning("marked \(abandoned) earlier \(job) run(s) abandoned: killed or crashed before recording their end")
            }
        } catch {
            logger.error("could not mark abandoned \(job) runs: \(error)")
            await lock.release()
            await healthCheck?.ping(.finished(error.tallyExitStatus))
            return error.tallyExitStatus
        }
        let swept = await AtomicFileWriter.removeAbandonedTemporaryFiles(in: outputDirectories)
        if !swept.isEmpty {
            logger.notice("removed temporary files a killed run left behind", metadata: ["files": "\(swept.joined(separator: ","))"])
        }
        let runID: Int64
        do {
            runID = try await store.startRun(job: job, startedAt: started, arguments: arguments, dryRun: dryRun)
        } catch {
            logger.error("could not record the \(job) run: \(error)")
            await lock.release()
            await healthCheck?.ping(.finished(error.tallyExitStatus))
            return error.tallyExitStatus
        }
        var runLogger = logger
        runLogger[metadataKey: "run_id"] = "\(runID)"
        runLogger.info("\(job) started", metadata: ["dry_run": "\(dryRun)", "arguments": "\(arguments)"])

        let outcome: JobRunOutcome
        do {
            let report = try await body(runID)
            let status = report.exitStatus
            outcome = JobRunOutcome(finishedAt: clock.now(), status: status == .ok ? .succeeded : .needsHuman,
                                    exitCode: status.rawValue, itemsProcessed: report.itemsProcessed,
                                    itemsFailed: report.itemsFailed, summary: report.summary)
        } catch let interrupted as JobInterrupted {
            outcome = JobRunOutcome(finishedAt: clock.now(), status: .interrupted, exitCode: interrupted.exitStatus.rawValue,
                                    itemsProcessed: 0, itemsFailed: 0, summary: interrupted.description)
        } catch {
            outcome = JobRunOutcome(finishedAt: clock.now(), status: .failed, exitCode: error.tallyExitStatus.rawValue,
                                    itemsProcessed: 0, itemsFailed: 0, summary: "\(error)")
        }

        do {
            try await store.finishRun(id: runID, outcome: outcome)
        } catch {
            runLogger.error("could not complete the run record: \(error)")
        }
        let seconds = outcome.finishedAt.timeIntervalSince(started)
        let level: Logger.Level = switch outcome.status {
        case .succeeded: .info
        case .needsHuman, .interrupted: .warning
        case .failed, .running, .abandoned: .error
        }
        runLogger.log(level: level, "\(job) \(outcome.status.rawValue): \(outcome.summary)", metadata: [
            "exit_code": "\(outcome.exitCode)", "items": "\(outcome.itemsProcessed)",
            "failures": "\(outcome.itemsFailed)", "seconds": "\(String(format: "%.3f", seconds))",
        ])
        var status = ExitStatus(rawValue: outcome.exitCode) ?? .temporaryFailure
        if let metrics {
            do {
                try await metrics.write(job: job, outcome: outcome, durationSeconds: seconds, store: store)
            } catch {
                // Monitoring that silently stops is a failure someone must fix: it outranks success and
                // findings, never a more specific failure of the job itself.
                runLogger.error("could not write metrics: \(error)", metadata: ["exit_code": "\(ExitStatus.cannotCreateOutput.rawValue)"])
                if status == .ok || status == .needsHuman { status = .cannotCreateOutput }
            }
        }
        await healthCheck?.ping(.finished(status))
        await lock.release()
        return status
    }
}
