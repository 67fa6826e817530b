import Foundation

/// Renders `DashboardData` as one self-contained HTML page: inline CSS and inline SVG, no script, no font,
/// no image and no link to fetch, so it opens from disk and makes no request. Every value from data is
/// escaped with `HTMLText.escape`. Key figures carry an `id` so a test (or a person) can find them.
public enum DashboardPage {
    public static func render(_ data: DashboardData) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Tally dashboard, \(e(UTCCalendarText.instant(data.generatedAt)))</title>
            <style>\(style)</style></head><body>
            <h1>Tally dashboard</h1>
            <p class="meta">Generated <span id="generated-at">\(e(UTCCalendarText.instant(data.generatedAt)))</span>.
            Revenue and subscriptions cover <span id="period">\(e(data.period.monthLabel))</span>; API health the
            last \(DashboardData.recentDays) days; failed payments, discrepancies, deliveries and plan usage are as of generation.</p>
            <div class="tiles">
            """
        html += tile("Open discrepancies", id: "open-discrepancies", count(data.openDiscrepancies.reduce(0) { $0 + $1.count }))
        html += tile("Failed meter events", id: "failed-deliveries", count(data.failedDeliveries.count))
        html += tile("Failed payments", id: "failed-payments", count(data.failedPayments.count))
        html += tile("New subscriptions, \(data.period.monthLabel)", id: "new-subscriptions", count(data.newSubscriptions))
        html += tile("Churned subscriptions, \(data.period.monthLabel)", id: "churned-subscriptions", count(data.churnedSubscriptions))
        html += tile("Stripe API calls", id: "api-calls", count(data.apiHealth.overall.calls))
        html += "</div>"
        html += reconciliation(data)
        html += discrepancies(data)
        html += deliveries(data.failedDeliveries)
        html += payments(data.failedPayments)
        html += revenue(data)
        html += apiHealth(data.apiHealth)
        html += teamUsage(data.teamUsage)
        return html + "</body></html>\n"
    }

    private static func reconciliation(_ data: DashboardData) -> String {
        let local = data.reconciledDays.reduce(Int64(0)) { $0 + $1.localTokens }
        let stripe = data.reconciledDays.reduce(Int64(0)) { $0 + $1.stripeTokens }
        let chart = SVGLineChart(
            title: "Local vs Stripe tokens per day, last \(DashboardData.recentDays) days",
            labels: data.reconciledDays.map { String(UTCCalendarText.day($0.day).dropFirst(5)) },
            series: [.init(name: "Local (token_usage)", color: "#4e79a7",
                           values: data.reconciledDays.map { $0.judged ? Double($0.localTokens) : nil }),
                     .init(name: "Stripe (meter summaries)", color: "#f28e2b",
                           values: data.reconciledDays.map { $0.judged ? Double($0.stripeTokens) : nil })])
        let unjudged = data.reconciledDays.filter { !$0.judged }.count
        return """
            <section><h2>Local vs Stripe, last \(DashboardData.recentDays) days</h2>
            <p>Local <span id="local-tokens">\(count(local))</span> tokens, Stripe <span id="stripe-tokens">\(count(stripe))</span>
            tokens, difference <span id="token-difference">\(count(local - stripe))</span>, from the stored reconciliation windows
            (each day as its newest run judged it)\(unjudged > 0 ? "; \(unjudged) of the \(DashboardData.recentDays) days not reconciled yet are left blank" : "").</p>
            \(chart.render())</section>
            """
    }

    private static func discrepancies(_ data: DashboardData) -> String {
        var html = "<section><h2>Open discrepancies by class and age</h2>"
        guard !data.openDiscrepancies.isEmpty else { return html + "<p>None open in the latest reconciliation.</p></section>" }
        html += "<table><tr><th>Class</th>" + DashboardData.ageBuckets.map { "<th>\(e($0))</th>" }.joined()
            + "<th>Total</th><th>Tokens</th></tr>"
        for group in data.openDiscrepancies {
            html += "<tr><td>\(e(group.kind))</td>" + group.byAge.map { "<td class=\"n\">\(count($0))</td>" }.joined()
                + "<td class=\"n\" id=\"discrepancies-\(e(group.kind))\">\(count(group.count))</td><td class=\"n\">\(count(group.tokens))</td></tr>"
        }
        return html + "</table></section>"
    }

    private static func deliveries(_ failed: DashboardData.FailedDeliveries) -> String {
        let oldest = failed.oldest.map { ", the oldest from \(e(UTCCalendarText.instant($0)))" } ?? ""
        let advice = failed.count > 0 ? " <code>tally-retry</code> re-sends them." : ""
        return """
            <section><h2>Failed meter events</h2><p>\(count(failed.count)) meter events Stripe did not accept,
            <span id="failed-delivery-tokens">\(count(failed.tokens))</span> tokens of \(count(failed.customers))
            \(failed.customers == 1 ? "customer" : "customers")\(oldest).\(advice)</p></section>
            """
    }

    private static func payments(_ payments: [DashboardData.Payment]) -> String {
        var html = "<section><h2>Failed payments and dunning</h2>"
        guard !payments.isEmpty else { return html + "<p>No unpaid invoice with a failed attempt.</p></section>" }
        html += "<table><tr><th>Invoice</th><th>Team</th><th>Remaining</th><th>Attempts</th><th>Dunning state</th></tr>"
        for payment in payments {
            html += "<tr><td>\(e(payment.invoice))</td><td>\(e(payment.team))</td>"
                + "<td class=\"n\">\(e(DashboardFormat.money(payment.amountRemaining, payment.currency)))</td>"
                + "<td class=\"n\">\(count(payment.attempts))</td><td>\(e(payment.dunningState))</td></tr>"
        }
        return html + "</table></section>"
    }

    /// One chart per currency: amounts in different currencies never share an axis.
    private static func revenue(_ data: DashboardData) -> String {
        var html = "<section><h2>Revenue per currency, \(e(data.period.monthLabel))</h2>"
        guard !data.revenue.isEmpty else { return html + "<p>No invoice in the period.</p></section>" }
        for figures in data.revenue {
            let code = CurrencyFormat(currency: figures.currency).code
            let rows: [(String, Int64)] = [("Invoiced", figures.invoiced), ("Collected", figures.collected),
                                           ("Outstanding", figures.outstanding), ("Failed", figures.failedAmount),
                                           ("MRR at period end", figures.recurringRevenue)]
            let chart = SVGBarChart(title: "Revenue in \(code)", bars: rows.map {
                .init(label: $0.0, value: Double($0.1), text: DashboardFormat.money($0.1, figures.currency))
            }, scale: nil)
            html += "<h3>\(e(code)): invoiced <span id=\"invoiced-\(e(code.lowercased()))\">"
                + "\(e(DashboardFormat.money(figures.invoiced, figures.currency)))</span></h3>" + chart.render()
        }
        return html + "</section>"
    }

    private static func apiHealth(_ health: APIHealth) -> String {
        var html = "<section><h2>Stripe API health, last \(DashboardData.recentDays) days</h2><table><tr><th>Endpoint</th><th>Calls</th><th>Errors</th>"
            + "<th>429s</th><th>p50</th><th>p95</th></tr>"
        for endpoint in health.endpoints + [health.overall] {
            let isOverall = endpoint == health.overall && endpoint.endpoint == "All calls"
            html += "<tr\(isOverall ? " class=\"total\"" : "")><td>\(e(endpoint.endpoint))</td><td class=\"n\">\(count(endpoint.calls))</td>"
                + "<td class=\"n\"\(isOverall ? " id=\"api-errors\"" : "")>\(count(endpoint.failures))</td>"
                + "<td class=\"n\"\(isOverall ? " id=\"api-rate-limited\"" : "")>\(count(endpoint.rateLimited))</td>"
                + "<td class=\"n\">\(e(DashboardFormat.milliseconds(endpoint.p50Milliseconds)))</td>"
                + "<td class=\"n\"\(isOverall ? " id=\"api-p95\"" : "")>\(e(DashboardFormat.milliseconds(endpoint.p95Milliseconds)))</td></tr>"
        }
        return html + "</table></section>"
    }

    private static func teamUsage(_ teams: [DashboardData.TeamUsage]) -> String {
        var html = "<section><h2>Usage against plan</h2>"
        guard !teams.isEmpty else { return html + "<p>No usage caps stored yet (<code>tally-alerts</code> writes them).</p></section>" }
        let chart = SVGBarChart(title: "Tokens used against each team's allowance", bars: teams.map { team in
            let share = team.allowance > 0 ? Double(team.used) / Double(team.allowance) : 0
            let text = "\(DashboardFormat.count(team.used)) of \(DashboardFormat.count(team.allowance))"
                + (team.allowance > 0 ? " (\(DashboardFormat.percent(share)))" : "") + (team.blocked ? ", blocked" : "")
            return .init(label: team.team, value: share, text: text, color: share >= 1 ? "#e15759" : "#59a14f")
        }, scale: 1)
        html += chart.render() + "<table><tr><th>Team</th><th>Used</th><th>Allowance</th><th>Blocked</th></tr>"
        for team in teams {
            html += "<tr><td>\(e(team.team))</td><td class=\"n\">\(count(team.used))</td><td class=\"n\">\(count(team.allowance))</td>"
                + "<td>\(team.blocked ? "yes" : "no")</td></tr>"
        }
        return html + "</table></section>"
    }

    private static func tile(_ label: String, id: String, _ value: String) -> String {
        "<div class=\"tile\"><div class=\"label\">\(e(label))</div><div class=\"value\" id=\"\(id)\">\(value)</div></div>"
    }

    private static func e(_ text: String) -> String { HTMLText.escape(text) }
    private static func count(_ value: Int) -> String { DashboardFormat.count(value) }
    private static func count(_ value: Int64) -> String { DashboardFormat.count(value) }

    /// System fonts only: a font from the network would be a request.
    static let style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1000px}
        h1{margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
        h3{font-size:14px;margin:12px 0 4px}.meta{color:#666;font-size:13px}
        .tiles{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}
        .tile{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:130px}
        .tile .label{font-size:12px;color:#666}.tile .value{font-size:26px;font-weight:600}
        table{border-collapse:collapse;font-size:13px}th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:left}
        td.n{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:600}
        """
}
