/// A setting that is missing or wrong, reported by its key with how to fix it (exit 78).
///
/// Kept beside the exit statuses rather than in `Config/`: the Stripe client, the store and the usage query
/// throw it too, and they sit below the configuration.
public struct ConfigurationError: TallyFailure, Equatable {
    /// The setting's name as the user writes it, e.g. `STRIPE_SECRET_KEY`.
    public var key: String
    /// What is wrong with it. Never contains a secret value.
    public var problem: String
    /// What to do about it.
    public var fix: String

    public init(key: String, problem: String, fix: String) {
        self.key = key
        self.problem = problem
        self.fix = fix
    }

    public var exitStatus: ExitStatus { .configuration }

    public var description: String { "\(key) \(problem): \(fix)" }
}
