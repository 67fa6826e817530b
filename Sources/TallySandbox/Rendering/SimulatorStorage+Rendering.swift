import Foundation

/// Stripe's JSON for each stored object, with the same field names and nesting as Stripe's own samples.
extension SimulatorStorage {
    func render(_ customer: SimulatedCustomer) -> JSONValue {
        .object([
            ("id", .string(customer.id)), ("object", .string("customer")),
            ("address", .null), ("balance", .int(0)), ("created", .int(customer.created)),
            ("currency", .null), ("customer_account", .null), ("default_source", .null),
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

    func render(_ subscription: SimulatedSubscription) -> JSONValue {
        let items = subscription.items.map { render($0, subscription: subscription.id) }
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
            ("items", Self.list(items, hasMore: false, url: "/v1/subscription_items?subscription=\(subscription.id)")),
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

    func render(_ meter: SimulatedMeter) -> JSONValue {
        .object([
            ("id", .string(meter.id)), ("object", .string("billing.meter")), ("created", .int(meter.created)),
            ("customer_mapping", .object([("event_payload_key", .string(meter.customerPayloadKey)), ("type", .string("by_id"))])),
            ("default_aggregation", .object([("formula", .string(meter.formula))])),
            ("display_name", .string(meter.displayName)), ("event_name", .string(meter.eventName)),
            ("event_time_window", .optional(meter.eventTimeWindow)), ("livemode", .bool(livemode)),
            ("status", .string(meter.status)),
            ("status_transitions", .object([("deactivated_at", meter.status == "inactive" ? .int(meter.updated) : .null)])),
            ("updated", .int(meter.updated)),
            ("value_settings", .object([("event_payload_key", .string(meter.valuePayloadKey))])),
        ])
    }

    func render(_ event: SimulatedMeterEvent, meter: SimulatedMeter) -> JSONValue {
        .object([
            ("object", .string("billing.meter_event")), ("created", .int(event.receivedAt)),
            ("event_name", .string(event.eventName)), ("identifier", .string(event.identifier)),
            ("livemode", .bool(livemode)),
            ("payload", .object([(meter.customerPayloadKey, .string(event.customer)),
                                 (meter.valuePayloadKey, .string(String(event.value)))])),
            ("timestamp", .int(event.timestamp)),
        ])
    }

    func renderAdjustment(eventName: String, identifier: String) -> JSONValue {
        .object([
            ("object", .string("billing.meter_event_adjustment")),
            ("cancel", .object([("identifier", .string(identifier))])), ("event_name", .string(eventName)),
            ("livemode", .bool(livemode)), ("status", .string("complete")), ("type", .string("cancel")),
        ])
    }

    func render(_ line: SimulatedInvoiceLine, invoice: String) -> JSONValue {
        .object([
            ("id", .string(line.id)), ("object", .string("line_item")), ("amount", .int(line.amount)),
            ("currency", .string(line.currency)), ("description", .string(line.description)),
            ("discount_amounts", .array([])), ("discountable", .bool(true)), ("discounts", .array([])),
            ("invoice", .string(invoice)), ("livemode", .bool(livemode)), ("metadata", .object([])),
            ("parent", .object([
                ("invoice_item_details", .null),
                ("subscription_item_details", .object([
                    ("invoice_item", .null), ("proration", .bool(false)), ("proration_details", .object([("credited_items", .null)])),
                    ("subscription", .string(line.subscription)), ("subscription_item", .string(line.subscriptionItem)),
                ])),
                ("type", .string("subscription_item_details")),
            ])),
            ("period", .object([("end", .int(line.periodEnd)), ("start", .int(line.periodStart))])),
            ("pretax_credit_amounts", .array([])),
            ("pricing", .object([
                ("price_details", .object([("price", .string(line.price)),
                                           ("product", .optional(prices[line.price]?.product))])),
                ("type", .string("price_details")),
                ("unit_amount_decimal", .optional(prices[line.price].map { String($0.unitAmount) })),
            ])),
            ("quantity", .int(line.quantity)), ("quantity_decimal", .string(String(line.quantity))),
            ("subscription", .null), ("subtotal", .int(line.amount)), ("taxes", .array([])),
        ])
    }

    func render(_ invoice: SimulatedInvoice, lineLimit: Int = 10) -> JSONValue {
        let total = invoice.total
        let remaining = invoice.status == "paid" || invoice.status == "void" ? 0 : total - invoice.amountPaid
        let lines = invoice.lines.prefix(lineLimit).map { render($0, invoice: invoice.id) }
        return .object([
            ("id", .string(invoice.id)), ("object", .string("invoice")),
            ("account_country", .string("US")), ("account_name", .string("Tally Sandbox")),
            ("account_tax_ids", .null), ("amount_due", .int(total)), ("amount_overpaid", .int(0)),
            ("amount_paid", .int(invoice.amountPaid)), ("amount_remaining", .int(remaining)),
            ("amount_shipping", .int(0)), ("application", .null), ("attempt_count", .int(Int64(invoice.attemptCount))),
            ("attempted", .bool(invoice.attemptCount > 0)), ("auto_advance", .bool(invoice.status == "open")),
            ("automatic_tax", .object([("enabled", .bool(false)), ("liability", .null), ("status", .null),
                                       ("disabled_reason", .null), ("provider", .null)])),
            ("automatically_finalizes_at", .null), ("billing_reason", .string("subscription_cycle")),
            ("collection_method", .string("charge_automatically")), ("created", .int(invoice.created)),
            ("currency", .string(invoice.currency)), ("custom_fields", .null),
            ("customer", .string(invoice.customer)), ("customer_account", .null),
            ("customer_address", .null), ("customer_email", .optional(invoice.customerEmail)),
            ("customer_name", .optional(invoice.customerName)), ("customer_phone", .null),
            ("customer_shipping", .null), ("customer_tax_exempt", .string("none")),
            ("customer_tax_ids", .array([])), ("default_payment_method", .null), ("default_source", .null),
            ("default_tax_rates", .array([])), ("description", .null), ("discounts", .array([])),
            ("due_date", .null), ("effective_at", .optional(invoice.finalizedAt)), ("ending_balance", .int(0)),
            ("footer", .null), ("from_invoice", .null),
            ("hosted_invoice_url", .string("https://invoice.stripe.com/i/acct_sandbox/test_\(invoice.id)")),
            ("invoice_pdf", .string("https://pay.stripe.com/invoice/acct_sandbox/test_\(invoice.id)/pdf")),
            ("issuer", .object([("type", .string("self"))])), ("last_finalization_error", .null),
            ("latest_revision", .null),
            ("lines", Self.list(lines, hasMore: invoice.lines.count > lineLimit, url: "/v1/invoices/\(invoice.id)/lines")),
            ("livemode", .bool(livemode)), ("metadata", .object([])),
            ("next_payment_attempt", invoice.status == "open" ? .int(invoice.created + 3 * 86_400) : .null),
            ("number", .string(invoice.number)), ("on_behalf_of", .null),
            ("parent", .object([
                ("quote_details", .null),
                ("subscription_details", .object([("metadata", .map(subscriptions[invoice.subscription]?.metadata ?? [:])),
                                                  ("subscription", .string(invoice.subscription))])),
                ("type", .string("subscription_details")),
            ])),
            ("payment_settings", .object([("default_mandate", .null), ("payment_method_options", .null),
                                          ("payment_method_types", .null)])),
            ("period_end", .int(invoice.periodEnd)), ("period_start", .int(invoice.periodStart)),
            ("post_payment_credit_notes_amount", .int(0)), ("pre_payment_credit_notes_amount", .int(0)),
            ("receipt_number", .null), ("rendering", .null), ("shipping_cost", .null), ("shipping_details", .null),
            ("starting_balance", .int(0)), ("statement_descriptor", .null), ("status", .string(invoice.status)),
            ("status_transitions", .object([
                ("finalized_at", .optional(invoice.finalizedAt)), ("marked_uncollectible_at", .null),
                ("paid_at", .optional(invoice.paidAt)), ("voided_at", .null),
            ])),
            // Since 2025-03-31.basil the subscription lives under `parent`; the top-level field stays null.
            ("subscription", .null),
            ("subtotal", .int(total)), ("subtotal_excluding_tax", .int(total)),
            ("test_clock", .null), ("total", .int(total)), ("total_discount_amounts", .array([])),
            ("total_excluding_tax", .int(total)), ("total_pretax_credit_amounts", .array([])),
            ("total_taxes", .array([])),
            ("webhooks_delivered_at", .int(invoice.created)),
        ])
    }

    func render(_ event: SimulatedEvent) -> JSONValue {
        .object([
            ("id", .string(event.id)), ("object", .string("event")), ("api_version", .string("2026-07-29.dahlia")),
            ("created", .int(event.created)), ("data", .object([("object", event.object)])),
            ("livemode", .bool(livemode)), ("pending_webhooks", .int(event.deliverySucceeded ? 0 : 1)),
            ("request", .object([("id", .optional(event.requestID)), ("idempotency_key", .optional(event.idempotencyKey))])),
            ("type", .string(event.type)),
        ])
    }

    /// A Stripe list envelope.
    static func list(_ data: [JSONValue], hasMore: Bool, url: String) -> JSONValue {
        .object([("object", .string("list")), ("data", .array(data)), ("has_more", .bool(hasMore)), ("url", .string(url))])
    }
}
