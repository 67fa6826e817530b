/// The database is held by another process for longer than Tally waits (exit 75): a temporary state the
/// next run gets past, never a setting to fix.
public struct StoreBusy: TallyFailure, Equatable {
    /// The database, never with credentials.
    public var database: String
    public var reason: String

    public init(database: String, reason: String) {
        self.database = database
        self.reason = reason
    }

    public var exitStatus: ExitStatus { .temporaryFailure }

    public var description: String {
        "the database \(database) is busy: \(reason); the next run tries again (if it persists, look for a stuck process holding it)"
    }
}
