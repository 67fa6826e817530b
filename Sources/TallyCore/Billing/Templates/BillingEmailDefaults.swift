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
            {{! A line holding only a section tag leaves no line. }}
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
            <html lang="en"><head><meta charset="utf-8" /><title>Payment failed for {{team}}</title></head>
            <body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222222">
            <p style="margin: 0 0 8px 0">Hello,</p>
            <p style="margin: 0 0 8px 0">We could not collect <strong>{{amount}}</strong> for {{team}}'s invoice {{invoice_number}}.</p>
            <p style="margin: 0 0 8px 0">Pay it or update the card here: <a href="{{invoice_url}}" style="color: #1a5fb4">{{invoice_url}}</a></p>
            {{#next_attempt}}<p style="margin: 0 0 8px 0">We will try again on {{next_attempt}}.</p>{{/next_attempt}}
            {{^next_attempt}}<p style="margin: 0 0 8px 0">We will not try again automatically: please pay the invoice to keep your plan.</p>{{/next_attempt}}
            <p style="margin: 16px 0 0 0; color: #666666">Tally, on behalf of your billing team</p>
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
            <html lang="en"><head><meta charset="utf-8" /><title>{{team}}: your next invoice</title></head>
            <body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222222">
            <p style="margin: 0 0 8px 0">Hello,</p>
            <p style="margin: 0 0 8px 0">{{team}} will be charged <strong>{{amount}}</strong> on {{charge_date}} for the period {{period_start}} to {{period_end}}.</p>
            <p style="margin: 0 0 8px 0">Of that, {{usage_cost}} is usage so far this period (projected from the usage recorded until now).</p>
            <p style="margin: 16px 0 0 0; color: #666666">Tally, on behalf of your billing team</p>
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
            <html lang="en"><head><meta charset="utf-8" /><title>{{team}}: your trial ends on {{trial_end}}</title></head>
            <body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222222">
            <p style="margin: 0 0 8px 0">Hello,</p>
            <p style="margin: 0 0 8px 0">{{team}}'s trial ends on {{trial_end}}. After that the plan is billed to the payment method on file;
            add one on your team's billing page if you have not yet.</p>
            <p style="margin: 16px 0 0 0; color: #666666">Tally, on behalf of your billing team</p>
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
            <html lang="en"><head><meta charset="utf-8" /><title>{{team}} has no payment method left</title></head>
            <body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222222">
            <p style="margin: 0 0 8px 0">Hello,</p>
            <p style="margin: 0 0 8px 0">The payment method {{payment_method}} was removed from {{team}}'s billing account, and no default
            payment method is left. Add one on your team's billing page so the next invoice can be paid.</p>
            <p style="margin: 16px 0 0 0; color: #666666">Tally, on behalf of your billing team</p>
            </body></html>
            """)

    static let meterErrors = Templates(
        // Counts stand alone ("rejected: 1"), so no count reads "1 events".
        subject: "[Tally] Stripe rejected meter events: {{error_count}} ({{event_type}})",
        text: """
            Stripe accepted meter events and later found them invalid ({{event_type}}, event {{event_id}}, meter {{meter}}),
            in the window {{window_start}} to {{window_end}}; events rejected: {{error_count}}. Stripe does not bill them.

            {{lines}}

            Sample identifiers matching token_usage rows: {{rows_matched}}. Tally's deliveries of every sample are
            marked rejected in tally_meter_event_deliveries, so tally-retry does not re-send them and reconcile
            reports their gap. Fix the cause (the code says which), then bill those rows again under new identifiers.
            """,
        html: """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8" /><title>Stripe rejected meter events: {{error_count}}</title></head>
            <body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222222">
            <p style="margin: 0 0 8px 0">Stripe accepted meter events and later found them invalid ({{event_type}}, event {{event_id}}, meter {{meter}}),
            in the window {{window_start}} to {{window_end}}; events rejected: {{error_count}}. Stripe does not bill them.</p>
            <ul style="margin: 0 0 8px 0">
            {{lines}}
            </ul>
            <p style="margin: 0 0 8px 0">Sample identifiers matching token_usage rows: {{rows_matched}}. Tally's deliveries of every sample are
            marked rejected in tally_meter_event_deliveries, so tally-retry does not re-send them and reconcile
            reports their gap. Fix the cause (the code says which), then bill those rows again under new identifiers.</p>
            </body></html>
            """,
        lineText: "- {{code}}, events: {{count}}; samples: {{samples}}",
        lineHTML: "<li>{{code}}, events: {{count}}; samples: {{samples}}</li>")
}
