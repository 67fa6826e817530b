import Foundation

/// `customer.updated`: the name and email emails and reports use, and the default payment method.
enum CustomerEventHandler {
    static let types: Set<String> = ["customer.updated"]

    static func plan(_ record: StripeEventRecord, customer: CustomerBillingDetails, now: Date) -> BillingEventPlan {
        var change = BillingChange(eventID: record.eventID, eventType: record.eventType, eventCreated: record.created,
                                   customerID: customer.id, appliedAt: now)
        change.customer = BillingCustomerRecord(customerID: customer.id, name: customer.name, email: customer.email,
                                                defaultPaymentMethod: customer.invoiceSettings?.defaultPaymentMethod)
        return BillingEventPlan(change: change)
    }
}
