/// An output file or directory (a report, an outbox email, a metrics file) could not be written; the job
/// exits 73.
///
/// It names the path, why, the setting that chose where the output goes and what to do, so every writer
/// reports the same way whatever it writes.
public struct OutputError: TallyFailure, Equatable {
    /// Why the output could not be written, which decides what a person should do.
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
    /// The setting that chose where the output goes (`REPORTS_DIR`, `METRICS_DIR`); nil when no setting
    /// can fix it.
    public var settingKey: String?
    /// What to do about it, e.g. `set REPORTS_DIR to a writable directory`.
    public var fix: String

    public init(path: String, reason: String, kind: Kind = .notWritable, settingKey: String?, fix: String) {
        self.path = path
        self.reason = reason
        self.kind = kind
        self.settingKey = settingKey
        self.fix = fix
    }

    public var exitStatus: ExitStatus { .cannotCreateOutput }

    public var description: String {
        switch kind {
        case .notWritable: "\(path) is not writable: \(reason); \(fix)"
        case .invalidContent: "cannot write \(path): \(reason); \(fix)"
        }
    }

    /// A file or directory under `REPORTS_DIR` (reports, the outbox) that the file system refused: what
    /// `AtomicFileWriter` throws unless its caller names another setting.
    public static func reportsDirectory(path: String, reason: String) -> OutputError {
        OutputError(path: path, reason: reason, settingKey: "REPORTS_DIR", fix: "set REPORTS_DIR to a writable directory")
    }

    /// The same failure, fixed through another setting (`METRICS_DIR` for the metrics file, say).
    public func named(settingKey: String, fix: String) -> OutputError {
        OutputError(path: path, reason: reason, kind: kind, settingKey: settingKey, fix: fix)
    }

    /// The same failure reported against another path (the final name rather than the temporary one).
    func reported(at otherPath: String) -> OutputError {
        OutputError(path: otherPath, reason: reason, kind: kind, settingKey: settingKey, fix: fix)
    }
}
