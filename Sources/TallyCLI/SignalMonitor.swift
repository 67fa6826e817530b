import Foundation
import TallyCore

/// Routes SIGTERM and SIGINT to an `InterruptFlag`; a second signal ends the process at once.
///
/// `@unchecked`: the dispatch sources are set up once in `init` and only cancelled afterwards, which
/// Dispatch allows from any thread.
public final class SignalMonitor: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    public init(flag: InterruptFlag, onSecondSignal: @escaping @Sendable (Int32) -> Void = { exit(128 + $0) }) {
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if flag.isRequested { onSecondSignal(number) }
                flag.request(signal: number)
            }
            source.resume()
            return source
        }
    }

    /// Restores the default signal handling.
    public func cancel() {
        for source in sources { source.cancel() }
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }
}
