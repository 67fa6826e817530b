import Foundation

/// Direct access to the billing events of `SimulatorStorage+BillingEvents`, for tests and the demo.
extension SimulatorState {
    private var nowSeconds: Int64 { Int64(clock.now().timeIntervalSince1970.rounded(.down)) }

    /// Attaches a new card to `customer` (`payment_method.attached`).
    @discardableResult
    public func attachPaymentMethod(customer: String, brand: String = "visa", last4: String = "4242") throws -> SimulatedPaymentMethod {
        let now = nowSeconds
        return try withStorage { storage throws(StripeAPIError) in try storage.attachPaymentMethod(customer: customer, brand: brand, last4: last4, now: now) }
    }

    /// Detaches a payment method from its customer (`payment_method.detached`).
    @discardableResult
    public func detachPaymentMethod(_ id: String) throws -> SimulatedPaymentMethod {
        let now = nowSeconds
        return try withStorage { storage throws(StripeAPIError) in try storage.detachPaymentMethod(id, now: now) }
    }

    /// Puts a subscription on a trial ending `interval` from now (`customer.subscription.trial_will_end`).
    public func announceTrialEnd(subscription: String, in interval: TimeInterval = 3 * 86_400) throws {
        let now = nowSeconds
        try withStorage { storage throws(StripeAPIError) in
            try storage.announceTrialEnd(subscription, trialEnd: now + Int64(interval), now: now)
        }
    }

    /// Raises `invoice.upcoming` for a subscription's current period.
    public func announceUpcomingInvoice(subscription: String) throws {
        let now = nowSeconds
        try withStorage { storage throws(StripeAPIError) in try storage.announceUpcomingInvoice(subscription, now: now) }
    }

    /// Records a meter error report (`GET /v2/core/events`); `meter` nil makes it `no_meter_found`.
    @discardableResult
    public func reportMeterErrors(meter: String?, errors: [SimulatedV2Event.MeterError], window: Int64 = 3_600) -> SimulatedV2Event {
        let now = nowSeconds
        // The body cannot throw: recording a report has no precondition.
        return try! withStorage { storage throws(StripeAPIError) in
            storage.reportMeterErrors(meter: meter, errors: errors, window: window, now: now)
        }
    }
}
