import TallyCore

/// Text every job's `--help` shares, built from the one exit-code table (`ExitStatus`) so help and code
/// never disagree.
public enum JobHelp {
    /// The exit codes, one per line, appended to each job's discussion.
    public static var exitCodes: String {
        "Exit codes:\n" + ExitStatus.allCases.map { status in
            "  \(String(status.rawValue).padding(toLength: 3, withPad: " ", startingAt: 0)) \(status.meaning)"
        }.joined(separator: "\n")
    }

    /// A job's discussion followed by the exit-code table.
    public static func discussion(_ text: String) -> String {
        text + "\n\n" + exitCodes
    }
}
