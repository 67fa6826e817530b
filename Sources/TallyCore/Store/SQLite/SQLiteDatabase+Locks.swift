import Foundation

extension SQLiteDatabase {
    func tryLock(job: String) async throws -> (any JobLock)? {
        switch location {
        case .memory:
            let acquired = memoryLocks.withLock { $0.insert(job).inserted }
            guard acquired else { return nil }
            return InProcessJobLock(job: job) { [weak self] job in
                _ = self?.memoryLocks.withLock { $0.remove(job) }
            }
        case .file(let path):
            return try SQLiteFileLock.tryLock(path: "\(path).\(Self.fileSafe(job)).lock")
        }
    }

    /// A job name as a file name part: letters, digits, `-` and `_` kept, anything else `_`.
    static func fileSafe(_ job: String) -> String {
        String(job.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
    }
}
