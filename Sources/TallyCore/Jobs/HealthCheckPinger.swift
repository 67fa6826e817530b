/// Tells an external monitor (healthchecks.io, Cronitor, Uptime Kuma push) that a job started and how it
/// ended, so a run that never happens is noticed too.
public protocol HealthCheckPinger: Sendable {
    /// Sends the ping; failures are logged, never fatal (the job's own work matters more).
    func ping(_ event: HealthCheckEvent) async
}

/// The two moments a job reports.
public enum HealthCheckEvent: Sendable, Equatable {
    case start
    case finished(ExitStatus)

    /// The suffix appended to `HEALTHCHECK_URL`, following the healthchecks.io convention:
    /// `/start`, then `/0` on success or `/<exit code>` otherwise.
    public var pathSuffix: String {
        switch self {
        case .start: "/start"
        case .finished(let status): "/\(status.rawValue)"
        }
    }
}
