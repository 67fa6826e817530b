import Foundation
import Synchronization
import TallyCore

/// A clock that only moves when told to, or when someone sleeps on it: `sleep` returns at once and
/// advances the time, so code that waits (backoff, rate limits) runs instantly and deterministically.
public final class ManualClock: TallyClock {
    private let state: Mutex<(now: Date, slept: [Duration])>

    public init(now: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        state = Mutex((now, []))
    }

    public func now() -> Date { state.withLock { $0.now } }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        state.withLock {
            $0.now = $0.now.addingTimeInterval(duration.timeInterval)
            $0.slept.append(duration)
        }
    }

    /// Moves time forward without anyone sleeping.
    public func advance(by interval: TimeInterval) {
        state.withLock { $0.now = $0.now.addingTimeInterval(interval) }
    }

    /// Every duration slept so far, in order.
    public var sleeps: [Duration] { state.withLock { $0.slept } }
}
