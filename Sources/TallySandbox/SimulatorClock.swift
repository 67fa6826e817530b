import Foundation
import Synchronization

/// The simulator's notion of "now", moved only by hand, like a Stripe test clock.
public final class SimulatorClock: Sendable {
    private let current: Mutex<Date>
    private let observer: Mutex<(@Sendable (Date) -> Void)?>

    init(start: Date) {
        current = Mutex(start)
        observer = Mutex(nil)
    }

    /// The current simulator time.
    public func now() -> Date { current.withLock { $0 } }

    /// Moves time forward by `seconds` (billing periods that end on the way are invoiced).
    public func advance(by seconds: TimeInterval) {
        let moved = current.withLock { now -> Date in
            now = now.addingTimeInterval(max(0, seconds))
            return now
        }
        notify(moved)
    }

    /// Sets the time (moving backwards is allowed, but bills nothing).
    public func set(_ date: Date) {
        current.withLock { $0 = date }
        notify(date)
    }

    /// Installs the function told after every move (the state's billing run).
    func onChange(_ body: @escaping @Sendable (Date) -> Void) {
        observer.withLock { $0 = body }
    }

    private func notify(_ date: Date) {
        let body = observer.withLock { $0 }
        body?(date)
    }
}
