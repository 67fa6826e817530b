/// Stripe JSON for invoices and their lines.
extension SimulatorStorage {
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
}
