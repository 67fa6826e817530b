import GRDB

/// SQLite's own errors, mapped to the documented exit codes: a database that cannot be written (read-only
/// file or directory, disk full) will not fix itself, so it is "cannot write output" (73), never the
/// temporary failure (75) cron is told to ignore.
extension DatabaseError: TallyFailure {
    public var exitStatus: ExitStatus {
        switch resultCode {
        case .SQLITE_READONLY, .SQLITE_FULL: .cannotCreateOutput
        default: .temporaryFailure
        }
    }
}
