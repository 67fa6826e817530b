import Foundation

/// Runs blocking work (a libcurl easy transfer, a libxlsxwriter workbook) on a thread of its own and
/// resumes the caller when it is done, so the Swift cooperative pool (two threads here) never blocks.
public enum DedicatedThread {
    /// Runs `work` on a new thread named `name` and returns its result.
    public static func run<T: Sendable>(name: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.name = name
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
