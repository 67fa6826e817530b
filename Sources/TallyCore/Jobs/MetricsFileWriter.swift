import Foundation

/// Writes `tally_<job>.prom` for node_exporter's textfile collector after every run, atomically
/// (`AtomicFileWriter`: temporary name, then rename), so the collector never reads half a file.
public struct MetricsFileWriter: Sendable {
    public var directory: URL

    public init(directory: URL) { self.directory = directory }

    /// The file a job's metrics go to.
    public func fileURL(job: String) -> URL {
        directory.appendingPathComponent("tally_\(job.replacingOccurrences(of: "-", with: "_")).prom")
    }

    /// Writes the metrics of the run that just ended; the last success time comes from the run history,
    /// so a failing run keeps showing when the job last worked.
    public func write(job: String, outcome: JobRunOutcome, durationSeconds: Double, store: any JobRunStore) async throws {
        let runs = try await store.recentRuns(job: job, limit: 200)
        let lastSuccess = runs.first { $0.status == .succeeded || $0.status == .needsHuman }?.outcome?.finishedAt
        try await publish(Self.render(job: job, outcome: outcome, durationSeconds: durationSeconds, lastSuccess: lastSuccess), job: job)
    }

    /// Writes the metrics of a run that could not start (its store unreachable, say): there is no run
    /// history to read, so the last success is left out.
    public func writeStartFailure(job: String, status: ExitStatus, at date: Date) async throws {
        let outcome = JobRunOutcome(finishedAt: date, status: .failed, exitCode: status.rawValue, itemsProcessed: 0,
                                    itemsFailed: 0, summary: "could not start")
        try await publish(Self.render(job: job, outcome: outcome, durationSeconds: 0, lastSuccess: nil), job: job)
    }

    /// Writes a job's metrics file atomically and world-readable: metrics are not secrets, and node_exporter
    /// usually runs as another user.
    private func publish(_ text: String, job: String) async throws {
        do {
            try await AtomicFileWriter(permissions: 0o644).write(Data(text.utf8), to: fileURL(job: job))
        } catch let error as OutputError {
            throw error.named(settingKey: "METRICS_DIR", fix: "make METRICS_DIR writable by the job's user, or unset it")
        }
    }

    /// The Prometheus text exposition of one run.
    public static func render(job: String, outcome: JobRunOutcome, durationSeconds: Double, lastSuccess: Date?) -> String {
        let label = "{job=\"\(job)\"}"
        var lines: [String] = []
        func gauge(_ name: String, _ help: String, _ value: String) {
            lines += ["# HELP \(name) \(help)", "# TYPE \(name) gauge", "\(name)\(label) \(value)"]
        }
        gauge("tally_job_last_run_timestamp_seconds", "When the last run ended (unix seconds).", format(outcome.finishedAt.timeIntervalSince1970))
        if let lastSuccess {
            gauge("tally_job_last_success_timestamp_seconds", "When the last run that completed its work ended (unix seconds).", format(lastSuccess.timeIntervalSince1970))
        }
        gauge("tally_job_duration_seconds", "How long the last run took.", format(durationSeconds))
        gauge("tally_job_items", "Items the last run processed.", "\(outcome.itemsProcessed)")
        gauge("tally_job_failures", "Items the last run could not process.", "\(outcome.itemsFailed)")
        gauge("tally_job_exit_code", "Exit code of the last run (see the README's table).", "\(outcome.exitCode)")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func format(_ value: Double) -> String { String(format: "%.3f", value) }
}
