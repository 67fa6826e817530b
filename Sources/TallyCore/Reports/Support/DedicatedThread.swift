import Foundation

/// Runs blocking work (libxlsxwriter, file I/O with fsync) on a thread of its own, so the Swift
/// cooperative pool (two threads on a two-core machine) is never stalled by it.
enum DedicatedThread {
    /// Runs `work` on a new thread named `name` and resumes the caller with its result.
    static func run<Result: Sendable>(
        named name: String, _ work: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Swift.Result { try work() })
            }
            thread.name = name
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
