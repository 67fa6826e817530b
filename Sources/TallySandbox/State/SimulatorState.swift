import Foundation
import Synchronization

/// The simulator's objects, with direct (no HTTP) access for fixtures and benchmarks; thread-safe.
public final class SimulatorState: Sendable {
    private let storage: Mutex<SimulatorStorage>
    private let configuration: SimulatorConfiguration
    /// The simulator clock every operation reads "now" from.
    public let clock: SimulatorClock

    init(configuration: SimulatorConfiguration, clock: SimulatorClock) {
        self.configuration = configuration
        self.clock = clock
        storage = Mutex(Self.emptyStorage(configuration))
    }

    private static func emptyStorage(_ configuration: SimulatorConfiguration) -> SimulatorStorage {
        var storage = SimulatorStorage(livemode: configuration.livemode,
                                       aggregationDelay: configuration.aggregationDelay,
                                       identifierWindow: configuration.identifierWindow)
        storage.failedDeliveryRate = configuration.faults.failedDeliveryRate
        storage.deliveryRandom = SeededRandom(seed: configuration.faults.seed &+ 1)
        return storage
    }

    private var now: Int64 { Int64(clock.now().timeIntervalSince1970.rounded(.down)) }

    /// Runs `body` on the storage under the lock.
    func withStorage<Result>(_ body: (inout SimulatorStorage) throws(StripeAPIError) -> Result) throws(StripeAPIError) -> Result {
        try storage.withLock { (storage: inout SimulatorStorage) throws(StripeAPIError) -> Result in try body(&storage) }
    }

    /// Bills periods that ended at or before the clock's time (called whenever the clock moves).
    func clockMoved(to date: Date) {
        let now = Int64(date.timeIntervalSince1970.rounded(.down))
        storage.withLock { $0.billElapsedPeriods(now: now) }
    }

    /// Sets the share of events recorded as failed webhook deliveries.
    func setFailedDeliveryRate(_ rate: Double) {
        storage.withLock { $0.failedDeliveryRate = rate }
    }

    /// Forgets every object (the clock keeps its time).
    public func reset() {
        let fresh = Self.emptyStorage(configuration)
        storage.withLock { $0 = fresh }
    }

    /// Creates a customer; `metadata["sandbox_payment"] = "fail"` makes its invoice payments fail.
    @discardableResult
    public func createCustomer(email: String? = nil, name: String? = nil,
                               metadata: [String: String] = [:]) -> SimulatedCustomer {
        let now = now
        return storage.withLock { $0.createCustomer(email: email, name: name, description: nil, metadata: metadata,
                                                    now: now, origin: nil) }
    }

    /// Creates a product.
    @discardableResult
    public func createProduct(name: String, metadata: [String: String] = [:]) -> SimulatedProduct {
        let now = now
        return storage.withLock { $0.createProduct(name: name, description: nil, unitLabel: nil, metadata: metadata,
                                                   now: now, origin: nil) }
    }

    /// Creates a recurring price: licensed, or metered through `meter`.
    @discardableResult
    public func createPrice(product: String, currency: String = "usd", unitAmount: Int64, interval: String = "month",
                            usageType: PriceUsageType = .licensed, meter: String? = nil) throws -> SimulatedPrice {
        let now = now
        return try withStorage { storage throws(StripeAPIError) in
            try storage.createPrice(product: product, currency: currency, unitAmount: unitAmount, interval: interval,
                                    intervalCount: 1, usageType: usageType, meter: meter, nickname: nil,
                                    lookupKey: nil, metadata: [:], now: now, origin: nil)
        }
    }

    /// Creates an active meter; `eventTimeWindow` `hour` or `day` makes it pre-aggregated (each window
    /// keeps only its most recently received event).
    @discardableResult
    public func createMeter(displayName: String, eventName: String, formula: String = "sum",
                            customerPayloadKey: String = "stripe_customer_id",
                            valuePayloadKey: String = "value", eventTimeWindow: String? = nil) throws -> SimulatedMeter {
        let now = now
        return try withStorage { storage throws(StripeAPIError) in
            try storage.createMeter(displayName: displayName, eventName: eventName, formula: formula,
                                    customerKey: customerPayloadKey, valueKey: valuePayloadKey, eventTimeWindow: eventTimeWindow,
                                    now: now, origin: nil)
        }
    }

    /// Deactivates (`active: false`) or reactivates a meter; an inactive meter refuses new events.
    @discardableResult
    public func setMeter(_ meterID: String, active: Bool) throws -> SimulatedMeter {
        let now = now
        return try withStorage { storage throws(StripeAPIError) in
            try storage.setMeter(meterID, active: active, now: now, origin: nil)
        }
    }

    /// Creates an active subscription whose first period starts now.
    @discardableResult
    public func createSubscription(customer: String,
                                   items: [(price: String, quantity: Int64?)]) throws -> SimulatedSubscription {
        let now = now
        return try withStorage { storage throws(StripeAPIError) in
            try storage.createSubscription(customer: customer, items: items, metadata: [:], now: now, origin: nil)
        }
    }

    /// Stores many meter events at once (no timestamp rules; duplicates within the identifier window are
    /// skipped, events for unknown event names dropped); returns how many were stored.
    @discardableResult
    public func appendMeterEvents(_ events: [SimulatedMeterEvent]) -> Int {
        storage.withLock { $0.appendMeterEvents(events) }
    }

    /// Every event of `customer` on meter `meterID`, oldest first, cancelled ones flagged.
    public func meterEvents(meterID: String, customer: String) -> [SimulatedMeterEvent] {
        storage.withLock { storage in
            storage.meters[meterID].map { storage.meterEvents(meter: $0, customer: customer) } ?? []
        }
    }

    /// Aggregated usage of `customer` on `meterID` over [start, end) by the meter's formula.
    public func aggregatedUsage(meterID: String, customer: String, start: Date, end: Date) -> Int64 {
        storage.withLock {
            $0.usageForBilling(meter: meterID, customer: customer, start: Int64(start.timeIntervalSince1970),
                               end: Int64(end.timeIntervalSince1970))
        }
    }

    /// Customers, oldest first.
    public var customers: [SimulatedCustomer] { storage.withLock { $0.customers.ordered } }
    /// Products, oldest first.
    public var products: [SimulatedProduct] { storage.withLock { $0.products.ordered } }
    /// Prices, oldest first.
    public var prices: [SimulatedPrice] { storage.withLock { $0.prices.ordered } }
    /// Subscriptions, oldest first.
    public var subscriptions: [SimulatedSubscription] { storage.withLock { $0.subscriptions.ordered } }
    /// Meters, oldest first.
    public var meters: [SimulatedMeter] { storage.withLock { $0.meters.ordered } }
    /// Invoices, oldest first.
    public var invoices: [SimulatedInvoice] { storage.withLock { $0.invoices.ordered } }
    /// Events, oldest first.
    public var events: [SimulatedEvent] { storage.withLock { $0.events.ordered } }
}
