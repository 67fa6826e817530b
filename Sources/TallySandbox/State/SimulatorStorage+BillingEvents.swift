import Foundation

/// The billing events Stripe raises outside a billing cycle: payment methods attached and detached, a
/// trial about to end, the upcoming invoice, and meter error reports.
extension SimulatorStorage {
    mutating func attachPaymentMethod(customer: String, brand: String, last4: String, now: Int64) throws(StripeAPIError) -> SimulatedPaymentMethod {
        guard customers[customer] != nil else { throw .noSuch("customer", customer, param: "customer") }
        let method = SimulatedPaymentMethod(id: ids.next("pm"), customer: customer, brand: brand, last4: last4, created: now)
        paymentMethods[method.id] = method
        record("payment_method.attached", render(method), at: now, origin: nil)
        return method
    }

    mutating func detachPaymentMethod(_ id: String, now: Int64) throws(StripeAPIError) -> SimulatedPaymentMethod {
        guard var method = paymentMethods[id] else { throw .noSuch("payment_method", id) }
        guard let customer = method.customer else {
            throw .invalid("The payment method you provided is not attached to a customer so detachment is impossible.")
        }
        method.customer = nil
        paymentMethods[id] = method
        // Like Stripe: the detached method has no customer; the one it left is in previous_attributes.
        record("payment_method.detached", render(method), at: now, origin: nil,
               previousAttributes: .object([("customer", .string(customer))]))
        return method
    }

    /// Puts `subscriptionID` on a trial ending at `trialEnd` and raises `customer.subscription.trial_will_end`
    /// (Stripe sends it three days before).
    mutating func announceTrialEnd(_ subscriptionID: String, trialEnd: Int64, now: Int64) throws(StripeAPIError) {
        guard var subscription = subscriptions[subscriptionID] else { throw .noSuch("subscription", subscriptionID) }
        subscription.status = "trialing"
        subscriptions[subscriptionID] = subscription
        var object = render(subscription)
        object.set("trial_start", .int(subscription.created))
        object.set("trial_end", .int(trialEnd))
        record("customer.subscription.trial_will_end", object, at: now, origin: nil)
    }

    /// Raises `invoice.upcoming` for the subscription's current period: the seats plus the usage so far,
    /// on an invoice without an id (it does not exist yet).
    mutating func announceUpcomingInvoice(_ subscriptionID: String, now: Int64) throws(StripeAPIError) {
        guard let subscription = subscriptions[subscriptionID], let first = subscription.items.first,
              let customer = customers[subscription.customer] else { throw .noSuch("subscription", subscriptionID) }
        var lines: [SimulatedInvoiceLine] = []
        for item in subscription.items {
            guard let price = prices[item.price] else { continue }
            let quantity: Int64 = switch price.usageType {
            case .licensed: item.quantity ?? 1
            case .metered: price.meter.map {
                usageForBilling(meter: $0, customer: customer.id, start: item.currentPeriodStart, end: now)
            } ?? 0
            }
            lines.append(SimulatedInvoiceLine(
                id: ids.next("il_tmp"), amount: quantity * price.unitAmount, currency: price.currency,
                description: "\(quantity) × \(products[price.product]?.name ?? price.product)",
                periodStart: item.currentPeriodStart, periodEnd: item.currentPeriodEnd, quantity: quantity, price: price.id,
                subscription: subscription.id, subscriptionItem: item.id))
        }
        let invoice = SimulatedInvoice(
            id: "upcoming", number: "", customer: customer.id, customerEmail: customer.email, customerName: customer.name,
            subscription: subscription.id, status: "draft", created: now, periodStart: first.currentPeriodStart,
            periodEnd: first.currentPeriodEnd, currency: subscription.currency, lines: lines, amountPaid: 0, attemptCount: 0,
            finalizedAt: nil, paidAt: nil)
        var object = render(invoice)
        object.remove("id")
        object.set("number", .null)
        object.set("next_payment_attempt", .int(first.currentPeriodEnd))
        record("invoice.upcoming", object, at: now, origin: nil)
    }

    /// Records a meter error report about `meter` for the window ending now.
    mutating func reportMeterErrors(meter: String?, errors: [SimulatedV2Event.MeterError], window: Int64, now: Int64) -> SimulatedV2Event {
        let type = meter == nil ? "v1.billing.meter.no_meter_found" : "v1.billing.meter.error_report_triggered"
        let event = SimulatedV2Event(id: ids.next("evt_test"), type: type, created: now, meter: meter,
                                     validationStart: now - window, validationEnd: now, errors: errors)
        v2Events.append(event)
        return event
    }
}

extension JSONValue {
    /// Replaces (or appends) `key` of an object.
    mutating func set(_ key: String, _ value: JSONValue) {
        guard case .object(var pairs) = self else { return }
        if let index = pairs.firstIndex(where: { $0.0 == key }) { pairs[index].1 = value } else { pairs.append((key, value)) }
        self = .object(pairs)
    }

    /// Removes `key` from an object.
    mutating func remove(_ key: String) {
        guard case .object(let pairs) = self else { return }
        self = .object(pairs.filter { $0.0 != key })
    }
}
