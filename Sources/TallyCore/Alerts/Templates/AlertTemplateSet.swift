import Foundation

/// The templates of the usage notifications: built-in defaults, each replaceable by a file of the same name
/// in `ALERT_TEMPLATES_DIR` (e.g. `usage-alert.html.mustache`).
public struct AlertTemplateSet: Sendable, Equatable {
    public var subject: AlertTemplate
    public var text: AlertTemplate
    public var html: AlertTemplate
    /// One line for in-app notifications and webhooks.
    public var summary: AlertTemplate
    public var opsSubject: AlertTemplate
    public var opsText: AlertTemplate
    public var opsHTML: AlertTemplate

    /// The defaults, overridden by the files found in `directory`.
    public init(directory: URL? = nil) throws {
        func load(_ name: String, _ fallback: String, _ escaping: AlertTemplate.Escaping) throws -> AlertTemplate {
            guard let directory else { return AlertTemplate(fallback, escaping: escaping) }
            let file = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: file.path) else { return AlertTemplate(fallback, escaping: escaping) }
            do {
                return AlertTemplate(try String(contentsOf: file, encoding: .utf8), escaping: escaping)
            } catch {
                throw AlertTemplateError(message: "\(file.path) cannot be read as UTF-8 text")
            }
        }
        subject = try load("usage-alert.subject.mustache", Self.defaultSubject, .text)
        text = try load("usage-alert.txt.mustache", Self.defaultText, .text)
        html = try load("usage-alert.html.mustache", Self.defaultHTML, .html)
        summary = try load("usage-alert.summary.mustache", Self.defaultSummary, .text)
        opsSubject = try load("usage-blocked-ops.subject.mustache", Self.defaultOpsSubject, .text)
        opsText = try load("usage-blocked-ops.txt.mustache", Self.defaultOpsText, .text)
        opsHTML = try load("usage-blocked-ops.html.mustache", Self.defaultOpsHTML, .html)
    }

    static let defaultSubject = """
        {{#is_limit}}{{team}} has used its plan's {{allowance}} tokens: usage is paused until you upgrade{{/is_limit}}\
        {{^is_limit}}{{#is_urgent}}Urgent: {{/is_urgent}}{{team}} has used {{percent}} % of its plan this period{{/is_limit}}
        """

    static let defaultSummary = """
        {{team}} has used {{used}} of {{allowance}} tokens ({{percent}} %) this billing period.\
        {{#projection}} {{projection}}.{{/projection}}{{#is_limit}} Usage is paused until the plan is upgraded.{{/is_limit}}
        """

    static let defaultText = """
        Hello,

        {{team}} has used {{used}} of the {{allowance}} tokens its plan includes for the billing period \
        {{period_start}} to {{period_end}}: {{percent}} % (the {{threshold_percent}} % mark).
        {{! A line holding only a section tag leaves no line: each paragraph brings its own blank line. }}
        {{#projection}}

        {{projection}} ({{projected_date}}).
        {{/projection}}
        {{#is_limit}}

        The plan's limit is reached, so new usage is paused until the plan is upgraded. Upgrade to keep working:
        your team's billing page has the larger plans.
        {{/is_limit}}
        {{^is_limit}}

        Nothing is paused yet; at 100 % usage pauses until the plan is upgraded.
        {{/is_limit}}

        -- Tally, on behalf of your billing team
        """

    /// Says everything `defaultText` says, sentence for sentence, with inline styles and a table for the
    /// figures (mail clients drop `<style>` blocks and external sheets).
    static let defaultHTML = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8" />
        <title>{{team}} has used {{percent}} % of its plan</title>
        </head>
        <body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222222">
        <h2 style="font-size: 16px; margin: 0 0 8px 0">{{#is_urgent}}Urgent: {{/is_urgent}}{{team}} has used {{percent}} % of its plan</h2>
        <p style="margin: 0 0 8px 0">Hello,</p>
        <p style="margin: 0 0 8px 0">{{team}} has used {{used}} of the {{allowance}} tokens its plan includes for the billing period \
        {{period_start}} to {{period_end}}: {{percent}} % (the {{threshold_percent}} % mark).</p>
        <table cellpadding="0" cellspacing="0" style="border-collapse: collapse; margin: 0 0 12px 0">
        <tr><th style="border: 1px solid #cccccc; padding: 4px 8px; text-align: left; background: #f0f0f0">Used</th><td style="border: 1px solid #cccccc; padding: 4px 8px; text-align: right">{{used}} tokens</td></tr>
        <tr><th style="border: 1px solid #cccccc; padding: 4px 8px; text-align: left; background: #f0f0f0">Included</th><td style="border: 1px solid #cccccc; padding: 4px 8px; text-align: right">{{allowance}} tokens</td></tr>
        <tr><th style="border: 1px solid #cccccc; padding: 4px 8px; text-align: left; background: #f0f0f0">Billing period</th><td style="border: 1px solid #cccccc; padding: 4px 8px">{{period_start}} to {{period_end}}</td></tr>
        </table>
        {{#projection}}<p style="margin: 0 0 8px 0">{{projection}} ({{projected_date}}).</p>{{/projection}}
        {{#is_limit}}<p style="margin: 0 0 8px 0"><strong>The plan's limit is reached, so new usage is paused until the plan is upgraded.</strong> \
        Upgrade to keep working: your team's billing page has the larger plans.</p>{{/is_limit}}
        {{^is_limit}}<p style="margin: 0 0 8px 0">Nothing is paused yet; at 100 % usage pauses until the plan is upgraded.</p>{{/is_limit}}
        <p style="margin: 16px 0 0 0; color: #666666">Tally, on behalf of your billing team</p>
        </body>
        </html>
        """

    static let defaultOpsSubject = "Tally: team {{team}} ({{team_id}}) is blocked at {{percent}} % of its plan"

    static let defaultOpsText = """
        Team {{team}} (id {{team_id}}) has used {{used}} of {{allowance}} tokens ({{percent}} %) in the billing period \
        {{period_start}} to {{period_end}} and is now flagged blocked in tally_usage_caps.

        The block clears by itself on the next run after the team's plan grows or a new billing period starts.
        """

    /// Says what `defaultOpsText` says, for clients that show the HTML part only.
    static let defaultOpsHTML = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8" />
        <title>Tally: team {{team}} ({{team_id}}) is blocked at {{percent}} % of its plan</title>
        </head>
        <body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222222">
        <p style="margin: 0 0 8px 0">Team {{team}} (id {{team_id}}) has used {{used}} of {{allowance}} tokens ({{percent}} %) in the billing period \
        {{period_start}} to {{period_end}} and is now flagged blocked in tally_usage_caps.</p>
        <p style="margin: 0 0 8px 0">The block clears by itself on the next run after the team's plan grows or a new billing period starts.</p>
        </body>
        </html>
        """
}
