import Dispatch
import Foundation
import Synchronization

/// Set when SIGTERM or SIGINT arrives; use-cases check it between items so the current item finishes
/// and the run is recorded as interrupted instead of being cut off mid-write.
public final class InterruptFlag: Sendable {
    private struct State {
        var signal: Int32?
        var handlers: [Int: @Sendable () -> Void] = [:]
        var nextToken = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// The signal that asked the run to stop, if any.
    public var signal: Int32? { state.withLock { $0.signal } }

    /// True once a stop was requested.
    public var isRequested: Bool { signal != nil }

    /// Requests a stop (the signal handler, or a test), and runs the handlers waiting for one.
    public func request(signal: Int32) {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard state.signal == nil else { return [] }
            state.signal = signal
            defer { state.handlers.removeAll() }
            return Array(state.handlers.values)
        }
        for handler in handlers { handler() }
    }

    /// Runs `handler` once when a stop is requested (at once if one already was), so work that waits
    /// (a request in flight) can be abandoned. Returns a token for `removeHandler`.
    @discardableResult
    public func onRequest(_ handler: @escaping @Sendable () -> Void) -> Int {
        let (token, already) = state.withLock { state -> (Int, Bool) in
            guard state.signal == nil else { return (-1, true) }
            state.nextToken += 1
            state.handlers[state.nextToken] = handler
            return (state.nextToken, false)
        }
        if already { handler() }
        return token
    }

    /// Forgets the handler registered under `token`.
    public func removeHandler(_ token: Int) {
        _ = state.withLock { $0.handlers.removeValue(forKey: token) }
    }

    /// Throws `JobInterrupted` when a stop was requested: call it between items.
    public func check() throws {
        if let signal { throw JobInterrupted(signal: signal) }
    }
}

/// The run stopped early because a signal asked it to (exit 75: cron's next run picks up the rest).
public struct JobInterrupted: TallyFailure, Equatable {
    public var signal: Int32
    public init(signal: Int32) { self.signal = signal }
    public var exitStatus: ExitStatus { .temporaryFailure }
    public var description: String {
        "interrupted by \(signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)") after finishing the current item; the next run continues where this one stopped"
    }
}
