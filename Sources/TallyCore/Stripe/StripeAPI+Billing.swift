import Foundation

/// Customers, subscriptions and invoices.
extension StripeAPI {
    /// Every customer.
    public func customers() async throws -> [Customer] {
        try await list(Customer.self, path: "/v1/customers")
    }

    /// Subscriptions, optionally of one customer; `status` defaults to Stripe's (all but canceled), pass
    /// `all` to include canceled ones.
    public func subscriptions(customer: String? = nil, status: String? = nil) async throws -> [Subscription] {
        var parameters: [String: FormValue] = [:]
        if let customer { parameters["customer"] = .string(customer) }
        if let status { parameters["status"] = .string(status) }
        return try await list(Subscription.self, path: "/v1/subscriptions", parameters: parameters)
    }

    /// The items of one subscription, with their current periods.
    public func subscriptionItems(subscription: String) async throws -> [SubscriptionItem] {
        try await list(SubscriptionItem.self, path: "/v1/subscription_items",
                       parameters: ["subscription": .string(subscription)])
    }

    /// Invoices matching the filters; `createdFrom` inclusive, `createdBefore` exclusive.
    public func invoices(customer: String? = nil, subscription: String? = nil, status: String? = nil,
                         createdFrom: Date? = nil, createdBefore: Date? = nil) async throws -> [Invoice] {
        var parameters: [String: FormValue] = [:]
        if let customer { parameters["customer"] = .string(customer) }
        if let subscription { parameters["subscription"] = .string(subscription) }
        if let status { parameters["status"] = .string(status) }
        var created: [String: FormValue] = [:]
        if let createdFrom { created["gte"] = .timestamp(createdFrom) }
        if let createdBefore { created["lt"] = .timestamp(createdBefore) }
        if !created.isEmpty { parameters["created"] = .dictionary(created) }
        return try await list(Invoice.self, path: "/v1/invoices", parameters: parameters)
    }

    /// Every line of one invoice (the invoice object embeds only the first page).
    public func invoiceLines(invoiceID: String) async throws -> [InvoiceLineItem] {
        try await list(InvoiceLineItem.self, path: "/v1/invoices/\(StripePath.segment(invoiceID))/lines")
    }
}
