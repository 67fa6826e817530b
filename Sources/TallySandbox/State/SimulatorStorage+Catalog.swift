import Foundation

/// Customers, products, prices, meters and subscriptions: creation and cancellation.
extension SimulatorStorage {
    mutating func createCustomer(email: String?, name: String?, description: String?, metadata: [String: String],
                                 now: Int64, origin: EventOrigin?) -> SimulatedCustomer {
        let id = ids.next("cus")
        let prefix = String(id.dropFirst(4).prefix(8)).uppercased()
        let customer = SimulatedCustomer(id: id, created: now, email: email, name: name, description: description,
                                         metadata: metadata, invoicePrefix: prefix, nextInvoiceSequence: 1)
        customers.insert(customer)
        record("customer.created", render(customer), at: now, origin: origin)
        return customer
    }

    mutating func updateCustomer(_ id: String, email: String?, name: String?, metadata: [String: String],
                                 now: Int64, origin: EventOrigin?) throws(StripeAPIError) -> SimulatedCustomer {
        guard var customer = customers[id] else { throw .noSuch("customer", id) }
        if let email { customer.email = email }
        if let name { customer.name = name }
        for (key, value) in metadata { customer.metadata[key] = value.isEmpty ? nil : value }
        customers[id] = customer
        record("customer.updated", render(customer), at: now, origin: origin)
        return customer
    }

    mutating func createProduct(name: String, description: String?, unitLabel: String?, metadata: [String: String],
                                now: Int64, origin: EventOrigin?) -> SimulatedProduct {
        let product = SimulatedProduct(id: ids.next("prod"), created: now, name: name, description: description,
                                       active: true, metadata: metadata, unitLabel: unitLabel)
        products.insert(product)
        record("product.created", render(product), at: now, origin: origin)
        return product
    }

    mutating func createPrice(product: String, currency: String, unitAmount: Int64, interval: String,
                              intervalCount: Int, usageType: PriceUsageType, meter: String?, nickname: String?,
                              lookupKey: String?, metadata: [String: String], now: Int64,
                              origin: EventOrigin?) throws(StripeAPIError) -> SimulatedPrice {
        guard products[product] != nil else { throw .noSuch("product", product, param: "product") }
        guard unitAmount >= 0 else { throw .invalid("Invalid integer: \(unitAmount)", param: "unit_amount") }
        guard ["day", "week", "month", "year"].contains(interval) else {
            throw .invalid("Invalid recurring[interval]: must be one of day, week, month, or year",
                           param: "recurring[interval]")
        }
        if usageType == .metered {
            guard let meter else {
                throw .invalid("Metered prices must reference a meter: pass recurring[meter].", param: "recurring[meter]")
            }
            guard meters[meter] != nil else { throw .noSuch("billing.meter", meter, param: "recurring[meter]") }
        }
        let price = SimulatedPrice(id: ids.next("price"), created: now, product: product, currency: currency.lowercased(),
                                   unitAmount: unitAmount, interval: interval, intervalCount: max(1, intervalCount),
                                   usageType: usageType, meter: usageType == .metered ? meter : nil,
                                   nickname: nickname, lookupKey: lookupKey, metadata: metadata, active: true)
        prices.insert(price)
        record("price.created", render(price), at: now, origin: origin)
        return price
    }

    mutating func createMeter(displayName: String, eventName: String, formula: String, customerKey: String,
                              valueKey: String, eventTimeWindow: String?, now: Int64,
                              origin: EventOrigin?) throws(StripeAPIError) -> SimulatedMeter {
        guard ["sum", "count", "last"].contains(formula) else {
            throw .invalid("Invalid default_aggregation[formula]: must be one of sum, count, or last",
                           param: "default_aggregation[formula]")
        }
        if let eventTimeWindow, !["hour", "day"].contains(eventTimeWindow) {
            throw .invalid("Invalid event_time_window: must be one of day or hour", param: "event_time_window")
        }
        guard activeMeter(eventName: eventName) == nil else {
            throw .invalid("An active meter with event_name '\(eventName)' already exists.", param: "event_name")
        }
        let meter = SimulatedMeter(id: ids.next("mtr"), created: now, updated: now, displayName: displayName,
                                   eventName: eventName, formula: formula, customerPayloadKey: customerKey,
                                   valuePayloadKey: valueKey, status: "active", eventTimeWindow: eventTimeWindow)
        meters.insert(meter)
        record("billing.meter.created", render(meter), at: now, origin: origin)
        return meter
    }

    /// Deactivates (`active: false`) or reactivates a meter; an inactive meter refuses new events.
    mutating func setMeter(_ id: String, active: Bool, now: Int64,
                           origin: EventOrigin?) throws(StripeAPIError) -> SimulatedMeter {
        guard var meter = meters[id] else { throw .noSuch("billing.meter", id) }
        if active, meter.status != "active", let other = activeMeter(eventName: meter.eventName) {
            throw .invalid("Meter \(other.id) is already active for event_name '\(meter.eventName)'.", param: "id")
        }
        meter.status = active ? "active" : "inactive"
        meter.updated = now
        meters[id] = meter
        record(active ? "billing.meter.reactivated" : "billing.meter.deactivated", render(meter), at: now,
               origin: origin)
        return meter
    }

    mutating func createSubscription(customer: String, items: [(price: String, quantity: Int64?)],
                                     metadata: [String: String], now: Int64,
                                     origin: EventOrigin?) throws(StripeAPIError) -> SimulatedSubscription {
        guard customers[customer] != nil else { throw .noSuch("customer", customer, param: "customer") }
        guard !items.isEmpty else { throw .missing("items") }
        var built: [SimulatedSubscriptionItem] = []
        var currency: String?
        for (index, item) in items.enumerated() {
            guard let price = prices[item.price] else { throw .noSuch("price", item.price, param: "items[\(index)][price]") }
            if let currency, currency != price.currency {
                throw .invalid("All prices on a subscription must have the same currency.", param: "items[\(index)][price]")
            }
            currency = price.currency
            if price.usageType == .metered, item.quantity != nil {
                throw .invalid("Quantity should not be specified where usage_type is `metered`.",
                               param: "items[\(index)][quantity]")
            }
            let end = Self.periodBoundary(anchor: now, interval: price.interval, count: price.intervalCount, index: 1)
            built.append(SimulatedSubscriptionItem(
                id: ids.next("si"), created: now, price: price.id,
                quantity: price.usageType == .metered ? nil : (item.quantity ?? 1),
                currentPeriodStart: now, currentPeriodEnd: end, metadata: [:]))
        }
        let subscription = SimulatedSubscription(
            id: ids.next("sub"), created: now, customer: customer, status: "active", items: built,
            billingCycleAnchor: now, periodsBilled: 0, canceledAt: nil, endedAt: nil, latestInvoice: nil,
            metadata: metadata, currency: currency ?? "usd")
        subscriptions.insert(subscription)
        for item in built { itemOwners[item.id] = subscription.id }
        record("customer.subscription.created", render(subscription), at: now, origin: origin)
        return subscription
    }

    mutating func cancelSubscription(_ id: String, now: Int64,
                                     origin: EventOrigin?) throws(StripeAPIError) -> SimulatedSubscription {
        guard var subscription = subscriptions[id] else { throw .noSuch("subscription", id) }
        guard subscription.status != "canceled" else {
            throw StripeAPIError(status: 400, code: "resource_missing",
                                 message: "A canceled subscription can only update its cancellation_details and metadata.")
        }
        subscription.status = "canceled"
        subscription.canceledAt = now
        subscription.endedAt = now
        subscriptions[id] = subscription
        record("customer.subscription.deleted", render(subscription), at: now, origin: origin)
        return subscription
    }
}
