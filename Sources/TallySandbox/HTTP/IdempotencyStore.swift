import Foundation
import Synchronization

/// Stripe's idempotency: the first response to a key (even a 500) is replayed; other parameters are an
/// `idempotency_error`; a key still being answered is `409 idempotency_key_in_use`; keys go after 24 h.
final class IdempotencyStore: Sendable {
    /// What to do with a request carrying a key.
    enum Lookup {
        case firstUse
        case replay(SimulatorResponse)
        case conflict(StripeAPIError)
    }

    private enum Entry {
        case inFlight(fingerprint: String, since: Date)
        case answered(fingerprint: String, response: SimulatorResponse, at: Date)
    }

    static let retention: TimeInterval = 24 * 3600
    private struct Table {
        var entries: [String: Entry] = [:]
        /// Answered keys in answer order, so pruning only looks at the oldest.
        var answered: [(key: String, at: Date)] = []
        var oldest = 0
    }

    private let table = Mutex(Table())

    /// Claims `key` for a request with `fingerprint`, or says how to answer instead.
    func begin(key: String, fingerprint: String, now: Date) -> Lookup {
        table.withLock { table in
            Self.prune(&table, now: now)
            switch table.entries[key] {
            case nil:
                table.entries[key] = .inFlight(fingerprint: fingerprint, since: now)
                return .firstUse
            case .inFlight:
                return .conflict(StripeAPIError(
                    status: 409, type: "invalid_request_error", code: "idempotency_key_in_use",
                    message: "There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): \(key). Please try again later."))
            case .answered(let stored, let response, _):
                guard stored == fingerprint else {
                    return .conflict(StripeAPIError(
                        status: 400, type: "idempotency_error",
                        message: "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '\(key)' if you meant to execute a different request."))
                }
                return .replay(response)
            }
        }
    }

    /// Stores the response for `key`.
    func finish(key: String, fingerprint: String, response: SimulatorResponse, now: Date) {
        table.withLock { table in
            table.entries[key] = .answered(fingerprint: fingerprint, response: response, at: now)
            table.answered.append((key, now))
        }
    }

    /// Forgets every key.
    func removeAll() { table.withLock { $0 = Table() } }

    private static func prune(_ table: inout Table, now: Date) {
        while table.oldest < table.answered.count,
              now.timeIntervalSince(table.answered[table.oldest].at) >= retention {
            let key = table.answered[table.oldest].key
            if case .answered(_, _, let at) = table.entries[key], now.timeIntervalSince(at) >= retention {
                table.entries[key] = nil
            }
            table.oldest += 1
        }
        if table.oldest > 4096, table.oldest * 2 > table.answered.count {
            table.answered.removeFirst(table.oldest)
            table.oldest = 0
        }
    }
}
