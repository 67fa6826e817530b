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
    }

    static let defaultSubject = """
        {{#is_limit}}{{team}} has used its plan's {{allowance}} tokens: usage is paused until you upgrade{{/is_limit}}\
        {{^is_limit}}{{#is_urgent}}Urgent: {{/is_urgent}}{{team}} has used {{percent}}% of its plan this period{{/is_limit}}
        """

    static let defaultSummary = """
        {{team}} has used {{used}} of {{allowance}} tokens ({{percent}}%) this billing period.\
        {{#projection}} {{projection}}.{{/projection}}{{#is_limit}} Usage is paused until the plan is upgraded.{{/is_limit}}
        """

    static let defaultText = """
        Hello,

        {{team}} has used {{used}} of the {{allowance}} tokens its plan includes for the billing period \
        {{period_start}} to {{period_end}}: {{percent}}% (the {{threshold_percent}}% mark).
        {{#projection}}
        {{projection}} ({{projected_date}}).
        {{/projection}}
        {{#is_limit}}
        The plan's limit is reached, so new usage is paused until the plan is upgraded. Upgrade to keep working:
        your team's billing page has the larger plans.
        {{/is_limit}}
        {{^is_limit}}
        Nothing is paused yet; at 100% usage pauses until the plan is upgraded.
        {{/is_limit}}

        -- Tally, on behalf of your billing team
        """

    static let defaultHTML = """
        <!DOCTYPE html>
        <html><body style="font-family: sans-serif">
        <h2>{{#is_urgent}}Urgent: {{/is_urgent}}{{team}} has used {{percent}}% of its plan</h2>
        <table>
        <tr><th align="left">Used</th><td>{{used}} tokens</td></tr>
        <tr><th align="left">Included</th><td>{{allowance}} tokens</td></tr>
        <tr><th align="left">Billing period</th><td>{{period_start}} to {{period_end}}</td></tr>
        </table>
        {{#projection}}<p>{{projection}} ({{projected_date}}).</p>{{/projection}}
        {{#is_limit}}<p><strong>The plan's limit is reached: new usage is paused until the plan is upgraded.</strong>
        Your team's billing page has the larger plans.</p>{{/is_limit}}
        </body></html>
        """

    static let defaultOpsSubject = "Tally: team {{team}} ({{team_id}}) is blocked at {{percent}}% of its plan"

    static let defaultOpsText = """
        Team {{team}} (id {{team_id}}) has used {{used}} of {{allowance}} tokens ({{percent}}%) in the billing period \
        {{period_start}} to {{period_end}} and is now flagged blocked in tally_usage_caps.

        The block clears by itself on the next run after the team's plan grows or a new billing period starts.
        """
}
