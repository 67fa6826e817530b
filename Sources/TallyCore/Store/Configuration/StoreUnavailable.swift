/// The database server cannot be reached (exit 69): cron tries again next time.
public struct StoreUnavailable: TallyFailure, Equatable {
    /// `host:port` or the file, never with credentials.
    public var target: String
    /// What the network or the server said.
    public var reason: String

    public init(target: String, reason: String) {
        self.target = target
        self.reason = reason
    }

    public var exitStatus: ExitStatus { .unavailable }

    public var description: String {
        "cannot reach PostgreSQL at \(target): \(reason); check that the server runs and DATABASE_URL names the right host and port"
    }
}
