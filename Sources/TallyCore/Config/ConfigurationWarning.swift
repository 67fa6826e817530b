/// A line of an env or config file that Tally ignores (an unknown key, a line that is not `KEY=value`):
/// printed on stderr at start-up with the file, the line and the setting probably meant; the job still runs.
///
/// Never carries the line's text, which may hold a secret.
public struct ConfigurationWarning: Sendable, Equatable, CustomStringConvertible {
    /// The file, as given.
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// What is wrong with the line.
    public var problem: String
    /// The known key closest to what was written, when one is close.
    public var suggestion: String?

    public init(file: String, line: Int, problem: String, suggestion: String? = nil) {
        self.file = file
        self.line = line
        self.problem = problem
        self.suggestion = suggestion
    }

    public var description: String {
        "warning: \(file) line \(line): \(problem)" + (suggestion.map { "; did you mean \($0)?" } ?? "")
    }
}
