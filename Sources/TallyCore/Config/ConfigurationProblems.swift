/// Several settings wrong at once, all named in one message (exit 78), so one round of edits fixes them.
public struct ConfigurationProblems: TallyFailure, Equatable {
    /// Each problem, in the order they were checked.
    public var problems: [ConfigurationError]

    public init(_ problems: [ConfigurationError]) {
        self.problems = problems
    }

    public var exitStatus: ExitStatus { .configuration }

    public var description: String {
        "\(problems.count) configuration problems:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }

    /// The error to throw for `problems`: the problem itself when there is one, all of them when several;
    /// `nil` when there is none.
    static func failure(_ problems: [ConfigurationError]) -> (any TallyFailure)? {
        switch problems.count {
        case 0: nil
        case 1: problems[0]
        default: ConfigurationProblems(problems)
        }
    }
}
