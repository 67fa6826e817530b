/// The built-in billing email templates (see `BillingEmailTemplates` for overriding them).
enum BillingEmailDefaults {
    struct Templates {
        var subject: String
        var text: String
        var html: String
        var lineText = ""
        var lineHTML = ""
    }

    static func templates(_ kind: BillingEmailKind) -> Templates {
        switch kind {
        case .paymentFailed: paymentFailed
        case .invoiceUpcoming: invoiceUpcoming
        case .trialEnding: trialEnding
        case .paymentMethodMissing: paymentMethodMissing
        case .meterErrors: meterErrors
        }
    }

    static let footer = "-- Tally, on behalf of your billing team"

    static let paymentFailed = Templates(
        subject: "Payment failed for {{team}}: {{amount}} is due",
        text: """
            Hello,

            We could not collect {{amount}} for {{team}}'s invoice {{invoice_number}}.
            Pay it or update the card here: {{invoice_url}}
            {{#next_attempt}}
            We will try again on {{next_attempt}}.
            {{/next_attempt}}
            {{^next_attempt}}
            We will not try again automatically: please pay the invoice to keep your plan.
            {{/next_attempt}}

            \(footer)
            """,
        html: """
            <!DOCTYPE html>
            <html><body style="font-family: sans-serif">
            <h2>Payment failed for {{team}}</h2>
            <p>We could not collect <strong>{{amount}}</strong> for invoice {{invoice_number}}.</p>
            <p><a href="{{invoice_url}}">Pay the invoice or update the card</a></p>
            {{#next_attempt}}<p>We will try again on {{next_attempt}}.</p>{{/next_attempt}}
            {{^next_attempt}}<p>We will not try again automatically: please pay the invoice to keep your plan.</p>{{/next_attempt}}
            </body></html>
            """)

    static let invoiceUpcoming = Templates(
        subject: "{{team}}: your next invoice of {{amount}} is on {{charge_date}}",
        text: """
            Hello,

            {{team}} will be charged {{amount}} on {{charge_date}} for the period {{period_start}} to {{period_end}}.
            Of that, {{usage_cost}} is usage so far this period (projected from the usage recorded until now).

            \(footer)
            """,
        html: """
            <!DOCTYPE html>
            <html><body style="font-family: sans-serif">
            <h2>{{team}}: your next invoice</h2>
            <table>
            <tr><th align="left">Amount</th><td>{{amount}}</td></tr>
            <tr><th align="left">Of which usage</th><td>{{usage_cost}}</td></tr>
            <tr><th align="left">Charged on</th><td>{{charge_date}}</td></tr>
            <tr><th align="left">Period</th><td>{{period_start}} to {{period_end}}</td></tr>
            </table>
            </body></html>
            """)

    static let trialEnding = Templates(
        subject: "{{team}}: your trial ends on {{trial_end}}",
        text: """
            Hello,

            {{team}}'s trial ends on {{trial_end}}. After that the plan is billed to the payment method on file;
            add one on your team's billing page if you have not yet.

            \(footer)
            """,
        html: """
            <!DOCTYPE html>
            <html><body style="font-family: sans-serif">
            <h2>{{team}}: your trial ends on {{trial_end}}</h2>
            <p>After that the plan is billed to the payment method on file; add one on your team's billing page if you have not yet.</p>
            </body></html>
            """)

    static let paymentMethodMissing = Templates(
        subject: "{{team}} has no payment method left",
        text: """
            Hello,

            The payment method {{payment_method}} was removed from {{team}}'s billing account, and no default
            payment method is left. Add one on your team's billing page so the next invoice can be paid.

            \(footer)
            """,
        html: """
            <!DOCTYPE html>
            <html><body style="font-family: sans-serif">
            <h2>{{team}} has no payment method left</h2>
            <p>The payment method {{payment_method}} was removed and no default payment method is left.
            Add one on your team's billing page so the next invoice can be paid.</p>
            </body></html>
            """)

    static let meterErrors = Templates(
        subject: "[Tally] Stripe rejected {{error_count}} meter events ({{event_type}})",
        text: """
            Stripe accepted meter events and later found them invalid ({{event_type}}, event {{event_id}}, meter {{meter}}),
            in the window {{window_start}} to {{window_end}}: {{error_count}} events. Stripe does not bill them.

            {{lines}}

            {{rows_matched}} sample identifiers matched token_usage rows. Tally's deliveries of every sample are
            marked rejected in tally_meter_event_deliveries, so tally-retry does not re-send them and reconcile
            reports their gap. Fix the cause (the code says which), then bill those rows again under new identifiers.
            """,
        html: """
            <!DOCTYPE html>
            <html><body style="font-family: sans-serif">
            <h2>Stripe rejected {{error_count}} meter events</h2>
            <p>{{event_type}}, event {{event_id}}, meter {{meter}}, window {{window_start}} to {{window_end}}.</p>
            <ul>
            {{lines}}
            </ul>
            <p>{{rows_matched}} sample identifiers matched token_usage rows; their deliveries are marked rejected in tally_meter_event_deliveries.</p>
            </body></html>
            """,
        lineText: "- {{code}}: {{count}} events; samples: {{samples}}",
        lineHTML: "<li><strong>{{code}}</strong>: {{count}} events; samples: {{samples}}</li>")
}
