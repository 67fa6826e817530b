import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs blocking work (libxlsxwriter, file I/O with fsync) on a thread of its own, so the Swift
/// cooperative pool (two threads on a two-core machine) is never stalled by it.
public enum DedicatedThread {
    /// Runs `work` on a new thread named `name` and resumes the caller with its result.
    public static func run<Result: Sendable>(
        named name: String, _ work: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                pthread_setspecific(nameKey, strdup(name))
                // Best effort for debuggers: Foundation on Linux applies a name only when it is set on the
                // running thread, and not reliably, hence the thread-specific name above.
                Thread.current.name = name
                continuation.resume(with: Swift.Result { try work() })
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// The name given to the current thread by `run(named:_:)`, or `nil` on any other thread (such as
    /// the cooperative pool's).
    static var currentName: String? {
        pthread_getspecific(nameKey).map { String(cString: $0.assumingMemoryBound(to: CChar.self)) }
    }

    /// A thread-specific slot holding the `strdup`ed name, freed when the thread exits.
    private static let nameKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { free($0) }
        return key
    }()
}
