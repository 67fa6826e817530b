/// Collects every configuration problem instead of stopping at the first.
struct ProblemCollector {
    var problems: [ConfigurationError]

    mutating func add(_ problem: ConfigurationError) {
        problems.append(problem)
    }

    /// Runs a check, recording its problem.
    mutating func run(_ check: () throws -> Void) {
        do { try check() } catch { record(error) }
    }

    /// The checked value, or `fallback` (never used: the problem is thrown before the value is) when it fails.
    mutating func value<T>(_ fallback: T, _ parse: () throws -> T) -> T {
        do { return try parse() } catch {
            record(error)
            return fallback
        }
    }

    private mutating func record(_ error: any Error) {
        if let problem = error as? ConfigurationError {
            problems.append(problem)
        } else {
            problems.append(ConfigurationError(key: "settings", problem: "could not be checked (\(error))", fix: "report this as a bug"))
        }
    }
}
