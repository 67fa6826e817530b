/// The process exit codes Tally documents (sysexits where one fits).
///
/// cron and the `jobs/` wrappers act on these, so they never change meaning.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// All done; nothing needs a human.
    case ok = 0
    /// Done, but findings need a human (an alert was sent).
    case needsHuman = 1
    /// Bad command-line usage.
    case usage = 64
    /// Bad input data.
    case dataError = 65
    /// Stripe or SMTP unavailable (circuit open, server unreachable).
    case unavailable = 69
    /// Cannot write output (reports, outbox, metrics).
    case cannotCreateOutput = 73
    /// Temporary: rate-limited, timed out, interrupted, or another run holds the lock. Try later.
    case temporaryFailure = 75
    /// Configuration error.
    case configuration = 78

    /// One line a person reads in `--help` (kept under 74 characters so the table never wraps) and in logs.
    public var meaning: String {
        switch self {
        case .ok: "all done, nothing needs a human"
        case .needsHuman: "done, but findings need a human (an alert was sent)"
        case .usage: "bad usage: an unknown option, a bad or reversed --since/--until"
        case .dataError: "bad input data: the log names the row or response"
        case .unavailable: "Stripe or SMTP unreachable, or circuit open: check STRIPE_API_BASE"
        case .cannotCreateOutput: "cannot write output (reports, outbox, metrics)"
        case .temporaryFailure: "temporary: rate-limited, timed out, interrupted or locked; try later"
        case .configuration: "configuration error: the message names the setting and the fix"
        }
    }
}
