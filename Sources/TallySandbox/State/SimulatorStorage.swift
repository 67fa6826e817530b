import Foundation

/// Where a mutation came from, copied into the `request` of the events it records.
struct EventOrigin: Sendable {
    var requestID: String?
    var idempotencyKey: String?
}

/// Everything the simulator knows, mutated only under `SimulatorState`'s lock.
struct SimulatorStorage: Sendable {
    var ids = IdentifierGenerator()
    var livemode: Bool
    var aggregationDelay: TimeInterval
    var identifierWindow: TimeInterval
    var failedDeliveryRate: Double = 0
    var deliveryRandom = SeededRandom(seed: 7)

    var customers = ObjectTable<SimulatedCustomer> { $0.id }
    var products = ObjectTable<SimulatedProduct> { $0.id }
    var prices = ObjectTable<SimulatedPrice> { $0.id }
    var subscriptions = ObjectTable<SimulatedSubscription> { $0.id }
    var meters = ObjectTable<SimulatedMeter> { $0.id }
    var invoices = ObjectTable<SimulatedInvoice> { $0.id }
    var events = ObjectTable<SimulatedEvent> { $0.id }
    /// subscription item id -> subscription id.
    var itemOwners: [String: String] = [:]
    var usage = MeterUsageIndex()
    /// Latest receipt of each meter event identifier, for the duplicate window and for adjustments.
    var identifiers: [String: IdentifierReceipt] = [:]
    var invoiceCounter = 0
    /// Payment methods attached (or once attached) to customers, by id.
    var paymentMethods: [String: SimulatedPaymentMethod] = [:]
    /// v2 events (`GET /v2/core/events`): the meter error reports, oldest first.
    var v2Events: [SimulatedV2Event] = []

    /// Where an identifier's latest event lives.
    struct IdentifierReceipt: Sendable {
        var meter: String
        var eventName: String
        var customer: String
        var timestamp: Int64
        var receivedAt: Int64
        var value: Int64
    }

    init(livemode: Bool, aggregationDelay: TimeInterval, identifierWindow: TimeInterval) {
        self.livemode = livemode
        self.aggregationDelay = aggregationDelay
        self.identifierWindow = identifierWindow
    }

    /// Records an event with a snapshot of `object`.
    mutating func record(_ type: String, _ object: JSONValue, at now: Int64, origin: EventOrigin?,
                         previousAttributes: JSONValue? = nil) {
        let delivered = !deliveryRandom.chance(failedDeliveryRate)
        events.insert(SimulatedEvent(id: ids.next("evt"), type: type, created: now, object: object,
                                     deliverySucceeded: delivered, requestID: origin?.requestID,
                                     idempotencyKey: origin?.idempotencyKey, previousAttributes: previousAttributes))
    }

    /// The active meter for `eventName`.
    func activeMeter(eventName: String) -> SimulatedMeter? {
        meters.ordered.first { $0.eventName == eventName && $0.status == "active" }
    }

    /// The end of period `index` (0-based) of a monthly-or-other interval starting at `anchor`.
    static func periodBoundary(anchor: Int64, interval: String, count: Int, index: Int) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = Date(timeIntervalSince1970: TimeInterval(anchor))
        let component: Calendar.Component = switch interval {
        case "day": .day
        case "week": .weekOfYear
        case "year": .year
        default: .month
        }
        let date = calendar.date(byAdding: component, value: count * index, to: start) ?? start
        return Int64(date.timeIntervalSince1970)
    }
}
