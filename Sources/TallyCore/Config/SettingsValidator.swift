import Foundation
import Logging

/// Turns raw setting text into a validated `TallyConfiguration`, naming the key and the fix for the
/// first problem it finds.
struct SettingsValidator {
    var raw: [SettingKey: String]
    var origins: [SettingKey: SettingOrigin]
    var requirements: Set<ConfigurationRequirement>

    func validate() throws -> TallyConfiguration {
        let apiBase = try url(.stripeAPIBase)
        let loopback = ConfigurationLoader.isLoopback(apiBase)
        guard apiBase.scheme == "https" || (apiBase.scheme == "http" && loopback) else {
            throw problem(.stripeAPIBase, "must be an https:// URL (plain http is only allowed for a simulator on loopback)",
                          "use https://api.stripe.com, or http://127.0.0.1:PORT for tally-sandbox")
        }
        let key = try secretKey(loopback: loopback)
        let meterIDs = try list(.stripeMeterID)
        for id in meterIDs where id.range(of: "^[A-Za-z0-9_]{3,100}$", options: .regularExpression) == nil {
            throw problem(.stripeMeterID, "contains \"\(id)\", which is not a meter id",
                          "list meter ids such as mtr_61Q8nQMq, separated by commas")
        }
        if requirements.contains(.meterIDs), meterIDs.isEmpty {
            throw problem(.stripeMeterID, "is not set", "export STRIPE_METER_ID=mtr_… (Stripe Dashboard → Billing → Meters), comma-separated for several")
        }
        let liveKey = key.revealed.hasPrefix("sk_live_") || key.revealed.hasPrefix("rk_live_")
        let maxRPS = try raw[.stripeMaxRPS].map { _ in try number(.stripeMaxRPS, in: 0...100) } ?? (liveKey ? 80 : 20)

        let recipients = try list(.alertEmail)
        for address in recipients where !Self.isPlausibleEmail(address) {
            throw problem(.alertEmail, "contains \"\(address)\", which is not an email address", "list addresses such as ops@example.com, separated by commas")
        }
        if requirements.contains(.alertRecipients), recipients.isEmpty {
            throw problem(.alertEmail, "is not set", "export ALERT_EMAIL=billing-ops@yourdomain.com")
        }
        let smtp = try smtpURL()
        let from = raw[.mailFrom] ?? ""
        guard !from.contains("\r"), !from.contains("\n"), from.contains("@") else {
            throw problem(.mailFrom, "is not a single email address", "set MAIL_FROM to e.g. \"Tally <tally@yourdomain.com>\"")
        }

        let thresholds = try list(.usageAlertThresholds).map { text -> Double in
            guard let value = Double(text), value > 0, value <= 10 else {
                throw problem(.usageAlertThresholds, "contains \"\(text)\", which is not a ratio above 0", "list ratios such as 0.5,0.8,0.95,1.0")
            }
            return value
        }
        guard !thresholds.isEmpty, thresholds == thresholds.sorted(), Set(thresholds).count == thresholds.count else {
            throw problem(.usageAlertThresholds, "must list distinct ratios in ascending order", "write e.g. 0.5,0.8,0.95,1.0")
        }
        let warning = try number(.usageCapWarningThreshold, in: 0.01...10)
        let hardLimit = try number(.usageCapHardLimit, in: 0.01...10)
        guard warning <= hardLimit else {
            throw problem(.usageCapWarningThreshold, "(\(warning)) is above USAGE_CAP_HARD_LIMIT (\(hardLimit))", "make the warning threshold lower than the hard limit")
        }

        var usageAlerts = TallyConfiguration.UsageAlertSettings(thresholds: thresholds, warningThreshold: warning, hardLimit: hardLimit)
        usageAlerts.templatesDirectory = raw[.alertTemplatesDir].map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL }
        if let directory = usageAlerts.templatesDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw problem(.alertTemplatesDir, "names \(directory.path), which is not a directory", "create it with your .mustache templates, or unset ALERT_TEMPLATES_DIR")
            }
        }

        return TallyConfiguration(
            stripe: .init(
                secretKey: key, apiBase: apiBase, apiVersion: try apiVersion(), meterIDs: meterIDs,
                maxRequestsPerSecond: maxRPS,
                requestTimeout: try number(.stripeTimeoutSeconds, in: 1...600),
                maxAttempts: Int(try number(.stripeMaxAttempts, in: 1...10, integer: true)),
                circuitBreakerThreshold: Int(try number(.stripeCircuitBreakerThreshold, in: 1...1000, integer: true))),
            database: .init(url: Secret(try databaseURL()), usageQuery: try usageQuery()),
            mail: .init(alertRecipients: recipients, smtpURL: smtp, from: from),
            usageAlerts: usageAlerts,
            reconcile: .init(
                alertRatio: try number(.reconcileAlertRatio, in: 0...1),
                settleDelay: try number(.reconcileSettleMinutes, in: 0...10_080, integer: true) * 60,
                lookbackDays: Int(try number(.reconcileLookbackDays, in: 0...34, integer: true))),
            output: .init(
                reportsDirectory: URL(fileURLWithPath: raw[.reportsDir] ?? "./reports", isDirectory: true).standardizedFileURL,
                metricsDirectory: raw[.metricsDir].map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL },
                healthcheckURL: try healthcheckURL()),
            log: .init(format: try logFormat(), level: try logLevel()),
            origins: origins)
    }

    static func isPlausibleEmail(_ text: String) -> Bool {
        text.range(of: #"^[^\s@<>,;"\\]+@[^\s@<>,;"\\]+\.[^\s@<>,;"\\]+$"#, options: .regularExpression) != nil
    }

    // MARK: - Keys with their own rules

    private func secretKey(loopback: Bool) throws -> Secret {
        guard let key = raw[.stripeSecretKey] else {
            if loopback { return Secret(StripeDefaults.sandboxAPIKey) }
            throw problem(.stripeSecretKey, "is not set",
                          "export it (Stripe Dashboard → Developers → API keys) or put it in /etc/tally/tally.env (chmod 600)")
        }
        if key.hasPrefix("pk_") {
            throw problem(.stripeSecretKey, "is a publishable key (pk_…), which cannot read billing data",
                          "use a secret key (sk_…) or a restricted key (rk_…) with read access to billing and write access to meter events")
        }
        let prefixes = ["sk_test_", "sk_live_", "rk_test_", "rk_live_"]
        guard prefixes.contains(where: key.hasPrefix) || (loopback && key.hasPrefix("sk_")),
              !key.contains(where: { $0.isWhitespace }) else {
            throw problem(.stripeSecretKey, "does not look like a Stripe secret key (it should start with sk_test_, sk_live_, rk_test_ or rk_live_)",
                          "copy the key again from the Stripe Dashboard, without quotes or spaces")
        }
        return Secret(key)
    }

    private func apiVersion() throws -> String {
        let version = raw[.stripeAPIVersion] ?? StripeDefaults.apiVersion
        guard version.range(of: #"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$"#, options: .regularExpression) != nil else {
            throw problem(.stripeAPIVersion, "is \"\(version)\", which is not a Stripe API version",
                          "use a dated version such as \(StripeDefaults.apiVersion), or unset it for the pinned default")
        }
        return version
    }

    private func databaseURL() throws -> String {
        let url = raw[.databaseURL] ?? "sqlite:./tally.sqlite"
        let schemes = ["sqlite:", "postgres://", "postgresql://"]
        guard schemes.contains(where: url.hasPrefix) else {
            throw problem(.databaseURL, "must start with sqlite: or postgres://",
                          "use sqlite:./tally.sqlite or postgres://user:password@host:5432/dbname")
        }
        return url
    }

    private func usageQuery() throws -> String? {
        guard let query = raw[.usageQuery] else { return nil }
        let head = query.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard head.hasPrefix("select") || head.hasPrefix("with") else {
            throw problem(.usageQuery, "must be a single SELECT (or WITH … SELECT) statement",
                          "see the README's App schema section for the columns it must return")
        }
        // One statement only: Tally wraps the query in its own aggregate, and a second statement would run blind.
        let body = query.trimmingCharacters(in: CharacterSet(charactersIn: "; \n\t\r"))
        guard !body.contains(";") else {
            throw problem(.usageQuery, "must be one statement without semicolons", "remove the ';' separators")
        }
        return body
    }

    private func smtpURL() throws -> Secret? {
        guard let text = raw[.smtpURL] else { return nil }
        guard let url = URLComponents(string: text), ["smtp", "smtps"].contains(url.scheme ?? ""), url.host?.isEmpty == false else {
            throw problem(.smtpURL, "is not an smtp:// or smtps:// URL",
                          "use smtps://user:password@smtp.example.com:465 or smtp://localhost:25, or unset it to write .eml files to the outbox")
        }
        return Secret(text)
    }

    private func healthcheckURL() throws -> Secret? {
        guard let text = raw[.healthcheckURL] else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme, ["https", "http"].contains(scheme), url.host != nil else {
            throw problem(.healthcheckURL, "is not an http(s) URL", "use the ping URL your monitor gives you, e.g. https://hc-ping.com/<uuid>")
        }
        return Secret(text)
    }

    private func logFormat() throws -> LogFormat {
        let text = (raw[.logFormat] ?? "text").lowercased()
        guard let format = LogFormat(rawValue: text) else {
            throw problem(.logFormat, "is \"\(text)\"", "use text or json")
        }
        return format
    }

    private func logLevel() throws -> Logger.Level {
        let text = (raw[.logLevel] ?? "info").lowercased()
        guard let level = Logger.Level(rawValue: text) else {
            throw problem(.logLevel, "is \"\(text)\"", "use trace, debug, info, notice, warning, error or critical")
        }
        return level
    }

    // MARK: - Generic parsers

    private func url(_ key: SettingKey) throws -> URL {
        let text = raw[key] ?? ""
        guard let url = URL(string: text), url.scheme != nil, url.host != nil else {
            throw problem(key, "is \"\(text)\", which is not a URL", "use e.g. \(key.defaultValue ?? "https://host")")
        }
        return url
    }

    private func number(_ key: SettingKey, in range: ClosedRange<Double>, integer: Bool = false) throws -> Double {
        let text = raw[key] ?? ""
        guard let value = Double(text), value.isFinite, range.contains(value), !integer || value == value.rounded() else {
            let kind = integer ? "a whole number" : "a number"
            throw problem(key, "is \"\(text)\", which is not \(kind) from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))",
                          "set \(key.rawValue) to \(kind) in that range\(key.defaultValue.map { " (default \($0))" } ?? "")")
        }
        return value
    }

    private func list(_ key: SettingKey) throws -> [String] {
        guard let text = raw[key] else { return [] }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private func problem(_ key: SettingKey, _ what: String, _ fix: String) -> ConfigurationError {
        let origin = origins[key].map { $0 == .defaultValue ? "" : " (from \($0))" } ?? ""
        return ConfigurationError(key: key.rawValue, problem: what + origin, fix: fix)
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
