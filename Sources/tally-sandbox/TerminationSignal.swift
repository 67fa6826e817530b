import Dispatch
import Foundation

/// Waits for SIGTERM or SIGINT without blocking a thread (dispatch signal sources, bridged to async).
enum TerminationSignal {
    /// Suspends until the first SIGTERM or SIGINT and returns its name.
    static func next() async -> String {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let sources = [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")].map { number, name in
            // Ignore the default action so the dispatch source, not the kernel, handles the signal.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        for await name in stream { return name }
        return "end of signal stream"
    }
}
