/// The one shape of every use-case: built with the roles, settings and run facts it uses, then run once.
public protocol TallyJob: Sendable {
    /// Does the job's work and says how it went (the exit code follows from the report).
    func run() async throws -> JobReport
}

