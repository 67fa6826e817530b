/// A report (CSV, workbook, or its directory) could not be written; the job exits 73.
public struct ReportOutputError: TallyFailure, Equatable {
    /// Why the report could not be written, which decides what a person should do.
    public enum Kind: Sendable, Equatable {
        /// The file system refused: a missing or read-only directory, a full disk.
        case notWritable
        /// The content breaks a rule of the file format (an invalid sheet name, too many rows).
        case invalidContent
    }

    /// The file or directory that could not be written.
    public var path: String
    /// What went wrong, e.g. `Permission denied`.
    public var reason: String
    public var kind: Kind

    public init(path: String, reason: String, kind: Kind = .notWritable) {
        self.path = path
        self.reason = reason
        self.kind = kind
    }

    public var exitStatus: ExitStatus { .cannotCreateOutput }

    public var description: String {
        switch kind {
        case .notWritable:
            "\(path) is not writable: \(reason); set REPORTS_DIR to a writable directory"
        case .invalidContent:
            "cannot write \(path): \(reason); the report breaks a spreadsheet limit, please report this as a bug"
        }
    }

    /// The same failure reported against another path (the final name rather than the temporary one).
    func reported(at otherPath: String) -> ReportOutputError {
        ReportOutputError(path: otherPath, reason: reason, kind: kind)
    }
}
