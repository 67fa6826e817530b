import Foundation

/// Stripe test-clock billing: when time passes a subscription period's end, that period is invoiced.
extension SimulatorStorage {
    /// Bills every elapsed period of every active (or past-due) subscription, then rolls the periods forward.
    mutating func billElapsedPeriods(now: Int64) {
        for subscription in subscriptions.ordered where ["active", "past_due"].contains(subscription.status) {
            var current = subscription
            // A guard against pathological clock jumps (a century of monthly periods).
            var periods = 0
            while let item = current.items.first, item.currentPeriodEnd <= now, periods < 1200 {
                bill(&current, periodStart: item.currentPeriodStart, periodEnd: item.currentPeriodEnd)
                periods += 1
            }
            if periods > 0 {
                subscriptions[current.id] = current
                record("customer.subscription.updated", render(current), at: current.items[0].currentPeriodStart,
                       origin: nil)
            }
        }
    }

    private mutating func bill(_ subscription: inout SimulatedSubscription, periodStart: Int64, periodEnd: Int64) {
        guard var customer = customers[subscription.customer] else { return }
        let invoiceID = ids.next("in")
        var lines: [SimulatedInvoiceLine] = []
        for item in subscription.items {
            guard let price = prices[item.price] else { continue }
            let quantity: Int64 = switch price.usageType {
            case .licensed: item.quantity ?? 1
            case .metered: price.meter.map {
                usageForBilling(meter: $0, customer: customer.id, start: periodStart, end: periodEnd)
            } ?? 0
            }
            let productName = products[price.product]?.name ?? price.product
            lines.append(SimulatedInvoiceLine(
                id: ids.next("il"), amount: quantity * price.unitAmount, currency: price.currency,
                description: "\(quantity) × \(productName) (at \(price.unitAmount) / \(price.interval))",
                periodStart: periodStart, periodEnd: periodEnd, quantity: quantity, price: price.id,
                subscription: subscription.id, subscriptionItem: item.id))
        }
        let number = "\(customer.invoicePrefix)-\(String(format: "%04d", customer.nextInvoiceSequence))"
        customer.nextInvoiceSequence += 1
        customers[customer.id] = customer
        var invoice = SimulatedInvoice(
            id: invoiceID, number: number, customer: customer.id, customerEmail: customer.email,
            customerName: customer.name, subscription: subscription.id, status: "draft", created: periodEnd,
            periodStart: periodStart, periodEnd: periodEnd, currency: subscription.currency, lines: lines,
            amountPaid: 0, attemptCount: 0, finalizedAt: nil, paidAt: nil)
        invoices.insert(invoice)
        record("invoice.created", render(invoice), at: periodEnd, origin: nil)

        invoice.status = "open"
        invoice.finalizedAt = periodEnd
        invoices.insert(invoice)
        record("invoice.finalized", render(invoice), at: periodEnd, origin: nil)

        invoice.attemptCount = 1
        if customer.metadata["sandbox_payment"] == "fail" {
            // Like Stripe with the default retry settings: the subscription goes past_due (its
            // customer.subscription.updated follows the billing) while the invoice stays open for retries.
            subscription.status = "past_due"
            invoices.insert(invoice)
            record("invoice.payment_failed", render(invoice), at: periodEnd, origin: nil)
        } else {
            if subscription.status == "past_due" { subscription.status = "active" }
            invoice.status = "paid"
            invoice.amountPaid = invoice.total
            invoice.paidAt = periodEnd
            invoices.insert(invoice)
            record("invoice.paid", render(invoice), at: periodEnd, origin: nil)
            record("invoice.payment_succeeded", render(invoice), at: periodEnd, origin: nil)
        }

        subscription.latestInvoice = invoiceID
        subscription.periodsBilled += 1
        for index in subscription.items.indices {
            let interval = prices[subscription.items[index].price]
            let nextEnd = Self.periodBoundary(anchor: subscription.billingCycleAnchor,
                                              interval: interval?.interval ?? "month",
                                              count: interval?.intervalCount ?? 1,
                                              index: subscription.periodsBilled + 1)
            subscription.items[index].currentPeriodStart = periodEnd
            subscription.items[index].currentPeriodEnd = nextEnd
        }
    }
}
