import Foundation

/// Stripe JSON for customers, products, prices and subscriptions, with the fields of Stripe's own samples.
extension SimulatorStorage {
    func render(_ customer: SimulatedCustomer) -> JSONValue {
        .object([
            ("id", .string(customer.id)), ("object", .string("customer")),
            ("address", .null), ("balance", .int(0)), ("created", .int(customer.created)),
            ("currency", .null), ("default_source", .null),
            ("delinquent", .bool(invoices.ordered.contains { $0.customer == customer.id && $0.status == "open" })),
            ("description", .optional(customer.description)), ("discount", .null),
            ("email", .optional(customer.email)), ("invoice_prefix", .string(customer.invoicePrefix)),
            ("invoice_settings", .object([
                ("custom_fields", .null), ("default_payment_method", .null), ("footer", .null),
                ("rendering_options", .null),
            ])),
            ("livemode", .bool(livemode)), ("metadata", .map(customer.metadata)),
            ("name", .optional(customer.name)), ("next_invoice_sequence", .int(Int64(customer.nextInvoiceSequence))),
            ("phone", .null), ("preferred_locales", .array([])), ("shipping", .null),
            ("tax_exempt", .string("none")), ("test_clock", .null),
        ])
    }

    func render(_ product: SimulatedProduct) -> JSONValue {
        .object([
            ("id", .string(product.id)), ("object", .string("product")), ("active", .bool(product.active)),
            ("created", .int(product.created)),
            ("default_price", .optional(prices.ordered.first { $0.product == product.id }?.id)),
            ("description", .optional(product.description)), ("images", .array([])),
            ("livemode", .bool(livemode)), ("marketing_features", .array([])),
            ("metadata", .map(product.metadata)), ("name", .string(product.name)),
            ("package_dimensions", .null), ("shippable", .null), ("statement_descriptor", .null),
            ("tax_code", .null), ("type", .string("service")), ("unit_label", .optional(product.unitLabel)),
            ("updated", .int(product.created)), ("url", .null),
        ])
    }

    func render(_ price: SimulatedPrice) -> JSONValue {
        .object([
            ("id", .string(price.id)), ("object", .string("price")), ("active", .bool(price.active)),
            ("billing_scheme", .string("per_unit")), ("created", .int(price.created)),
            ("currency", .string(price.currency)), ("custom_unit_amount", .null),
            ("livemode", .bool(livemode)), ("lookup_key", .optional(price.lookupKey)),
            ("metadata", .map(price.metadata)), ("nickname", .optional(price.nickname)),
            ("product", .string(price.product)),
            ("recurring", .object([
                ("interval", .string(price.interval)), ("interval_count", .int(Int64(price.intervalCount))),
                ("meter", .optional(price.meter)), ("usage_type", .string(price.usageType.rawValue)),
                ("trial_period_days", .null),
            ])),
            ("tax_behavior", .string("unspecified")), ("tiers_mode", .null), ("transform_quantity", .null),
            ("type", .string("recurring")), ("unit_amount", .int(price.unitAmount)),
            ("unit_amount_decimal", .string(String(price.unitAmount))),
        ])
    }

    /// The legacy `plan` view of a price, still embedded in subscription items.
    func renderPlan(_ price: SimulatedPrice) -> JSONValue {
        .object([
            ("id", .string(price.id)), ("object", .string("plan")), ("active", .bool(price.active)),
            ("amount", .int(price.unitAmount)), ("amount_decimal", .string(String(price.unitAmount))),
            ("billing_scheme", .string("per_unit")), ("created", .int(price.created)),
            ("currency", .string(price.currency)), ("interval", .string(price.interval)),
            ("interval_count", .int(Int64(price.intervalCount))), ("livemode", .bool(livemode)),
            ("metadata", .map(price.metadata)), ("meter", .optional(price.meter)),
            ("nickname", .optional(price.nickname)), ("product", .string(price.product)),
            ("tiers_mode", .null), ("transform_usage", .null), ("trial_period_days", .null),
            ("usage_type", .string(price.usageType.rawValue)),
        ])
    }

    func render(_ item: SimulatedSubscriptionItem, subscription: String) -> JSONValue {
        let price = prices[item.price]
        return .object([
            ("id", .string(item.id)), ("object", .string("subscription_item")),
            ("billing_thresholds", .null), ("created", .int(item.created)),
            ("current_period_end", .int(item.currentPeriodEnd)),
            ("current_period_start", .int(item.currentPeriodStart)), ("discounts", .array([])),
            ("metadata", .map(item.metadata)), ("plan", price.map(renderPlan) ?? .null),
            ("price", price.map(render) ?? .null), ("quantity", .optional(item.quantity)),
            ("subscription", .string(subscription)), ("tax_rates", .array([])),
        ])
    }

    /// Items a subscription object embeds before `has_more`.
    static let embeddedItemLimit = 10

    func render(_ subscription: SimulatedSubscription) -> JSONValue {
        // Like Stripe, a subscription embeds only the first page of its items (a sublist's default limit, 10);
        // `has_more` sends a client to `GET /v1/subscription_items?subscription=…` for the rest.
        let items = subscription.items.prefix(Self.embeddedItemLimit).map { render($0, subscription: subscription.id) }
        return .object([
            ("id", .string(subscription.id)), ("object", .string("subscription")),
            ("application", .null), ("application_fee_percent", .null),
            ("automatic_tax", .object([("enabled", .bool(false)), ("liability", .null), ("disabled_reason", .null)])),
            ("billing_cycle_anchor", .int(subscription.billingCycleAnchor)),
            ("billing_cycle_anchor_config", .null), ("billing_mode", .object([("type", .string("classic"))])),
            ("billing_schedules", .array([])), ("billing_thresholds", .null),
            ("cancel_at", .null), ("cancel_at_period_end", .bool(false)),
            ("canceled_at", .optional(subscription.canceledAt)),
            ("cancellation_details", .object([("comment", .null), ("feedback", .null),
                                              ("reason", subscription.canceledAt == nil ? .null : .string("cancellation_requested"))])),
            ("collection_method", .string("charge_automatically")), ("created", .int(subscription.created)),
            ("currency", .string(subscription.currency)), ("customer", .string(subscription.customer)),
            ("customer_account", .null), ("days_until_due", .null), ("default_payment_method", .null),
            ("default_source", .null), ("default_tax_rates", .array([])), ("description", .null),
            ("discounts", .array([])), ("ended_at", .optional(subscription.endedAt)),
            ("invoice_settings", .object([("account_tax_ids", .null), ("issuer", .object([("type", .string("self"))]))])),
            ("items", Self.list(Array(items), hasMore: subscription.items.count > Self.embeddedItemLimit,
                                url: "/v1/subscription_items?subscription=\(subscription.id)")),
            ("latest_invoice", .optional(subscription.latestInvoice)), ("livemode", .bool(livemode)),
            ("managed_payments", .null), ("metadata", .map(subscription.metadata)),
            ("next_pending_invoice_item_invoice", .null), ("on_behalf_of", .null), ("pause_collection", .null),
            ("payment_settings", .object([("payment_method_options", .null), ("payment_method_types", .null),
                                          ("save_default_payment_method", .string("off"))])),
            ("pending_invoice_item_interval", .null), ("pending_setup_intent", .null), ("pending_update", .null),
            ("schedule", .null), ("start_date", .int(subscription.created)),
            ("status", .string(subscription.status)), ("test_clock", .null), ("transfer_data", .null),
            ("trial_end", .null), ("trial_settings", .object([("end_behavior", .object([("missing_payment_method", .string("create_invoice"))]))])),
            ("trial_start", .null),
        ])
    }
}
