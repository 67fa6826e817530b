/// An error Tally can explain to a person and map to one documented exit code.
///
/// `description` says what happened and what to do about it; it never contains a secret.
public protocol TallyFailure: Error, CustomStringConvertible, Sendable {
    /// The exit code a job ends with when this error stops it.
    var exitStatus: ExitStatus { get }
}

extension Error {
    /// The exit status for any error: a `TallyFailure` knows its own; anything else is a temporary failure,
    /// so cron tries again rather than a person being paged for an unexplained crash.
    public var tallyExitStatus: ExitStatus {
        (self as? any TallyFailure)?.exitStatus ?? .temporaryFailure
    }
}
