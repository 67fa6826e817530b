import Foundation
import Logging

/// Turns raw setting text into a validated `TallyConfiguration`, naming the key and the fix for every
/// problem it finds, all in one error, so one round of edits fixes them.
struct SettingsValidator {
    var raw: [SettingKey: String]
    var origins: [SettingKey: SettingOrigin]
    var requirements: Set<ConfigurationRequirement>
    /// The env file actually read, which "not set" messages point at.
    var environmentFile: String? = nil
    /// Problems found before validation (secrets in readable files), reported with the rest.
    var earlierProblems: [ConfigurationError] = []

    func validate() throws -> TallyConfiguration {
        var check = ProblemCollector(problems: earlierProblems)
        let apiBase = check.value(URL(string: "https://api.stripe.com")!) { try url(.stripeAPIBase) }
        let loopback = ConfigurationLoader.isLoopback(apiBase)
        check.run {
            guard apiBase.scheme == "https" || (apiBase.scheme == "http" && loopback) else {
                throw problem(.stripeAPIBase, "must be an https:// URL (plain http is only allowed for a simulator on loopback)",
                              "use https://api.stripe.com, or http://127.0.0.1:PORT for tally-sandbox")
            }
        }
        let key = check.value(Secret(StripeDefaults.sandboxAPIKey)) { try secretKey(loopback: loopback) }
        let meterIDs = check.value([]) { try list(.stripeMeterID) }
        check.run {
            let bad = meterIDs.filter { $0.range(of: "^[A-Za-z0-9_]{3,100}$", options: .regularExpression) == nil }
            if !bad.isEmpty {
                throw problem(.stripeMeterID, "contains \(bad.map { "\"\($0)\"" }.joined(separator: ", ")), which \(bad.count == 1 ? "is not a meter id" : "are not meter ids")",
                              "list meter ids such as mtr_61Q8nQMq, separated by commas")
            }
            if requirements.contains(.meterIDs), meterIDs.isEmpty {
                throw problem(.stripeMeterID, "is not set",
                              "take the id from Stripe Dashboard → Billing → Meters (mtr_…, comma-separated for several) and \(whereToSet)")
            }
        }
        let maxRPS = check.value(0) { try raw[.stripeMaxRPS].map { _ in try number(.stripeMaxRPS, in: 0...100) } ?? 0 }
        let meterEventMaxRPS = check.value(0) { try raw[.stripeMeterEventMaxRPS].map { _ in try number(.stripeMeterEventMaxRPS, in: 0...1_000) } ?? 0 }

        let recipients = check.value([]) { try list(.alertEmail) }
        check.run {
            let bad = recipients.filter { !Self.isPlausibleEmail($0) }
            if !bad.isEmpty {
                throw problem(.alertEmail, "contains \(bad.map { "\"\($0)\"" }.joined(separator: ", ")), which \(bad.count == 1 ? "is not an email address" : "are not email addresses")",
                              "list addresses such as ops@example.com, separated by commas")
            }
            if requirements.contains(.alertRecipients), recipients.isEmpty {
                throw problem(.alertEmail, "is not set", "set it to e.g. billing-ops@yourdomain.com: \(whereToSet)")
            }
        }
        let smtp = check.value(nil) { try smtpURL() }
        let from = raw[.mailFrom] ?? ""
        check.run {
            guard !from.contains("\r"), !from.contains("\n"), from.contains("@") else {
                throw problem(.mailFrom, "is not a single email address", "set MAIL_FROM to e.g. \"Tally <tally@yourdomain.com>\"")
            }
        }

        let thresholds = check.value([0.5, 0.8, 0.95, 1.0]) { try usageThresholds() }
        let warning = check.value(0.8) { try number(.usageCapWarningThreshold, in: 0.01...10) }
        let hardLimit = check.value(1.0) { try number(.usageCapHardLimit, in: 0.01...10) }
        check.run {
            guard warning <= hardLimit else {
                throw problem(.usageCapWarningThreshold, "(\(warning)) is above USAGE_CAP_HARD_LIMIT (\(hardLimit))", "make the warning threshold lower than the hard limit")
            }
        }

        var usageAlerts = TallyConfiguration.UsageAlertSettings(thresholds: thresholds, warningThreshold: warning, hardLimit: hardLimit)
        usageAlerts.templatesDirectory = raw[.alertTemplatesDir].map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL }
        if let directory = usageAlerts.templatesDirectory {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) || !isDirectory.boolValue {
                check.add(problem(.alertTemplatesDir, "names \(directory.path), which is not a directory", "create it with your .mustache templates, or unset ALERT_TEMPLATES_DIR"))
            }
        }

        let stripe = TallyConfiguration.StripeSettings(
            secretKey: key, apiBase: apiBase, apiVersion: check.value(StripeDefaults.apiVersion) { try apiVersion() }, meterIDs: meterIDs,
            maxRequestsPerSecond: maxRPS,
            requestTimeout: check.value(60) { try number(.stripeTimeoutSeconds, in: 1...600) },
            maxAttempts: Int(check.value(4) { try number(.stripeMaxAttempts, in: 1...10, integer: true) }),
            circuitBreakerThreshold: Int(check.value(5) { try number(.stripeCircuitBreakerThreshold, in: 1...1000, integer: true) }),
            meterEventMaxRequestsPerSecond: meterEventMaxRPS)
        let database = TallyConfiguration.DatabaseSettings(
            url: check.value(nil) { try databaseURL() }.map(Secret.init), usageQuery: check.value(nil) { try usageQuery() })
        let reconcile = TallyConfiguration.ReconcileSettings(
            alertRatio: check.value(0.05) { try number(.reconcileAlertRatio, in: 0...1) },
            settleDelay: check.value(120) { try number(.reconcileSettleMinutes, in: 0...10_080, integer: true) } * 60,
            lookbackDays: Int(check.value(3) { try number(.reconcileLookbackDays, in: 0...34, integer: true) }),
            remindDays: Int(check.value(7) { try number(.reconcileRemindDays, in: 1...365, integer: true) }))
        let output = TallyConfiguration.OutputSettings(
            reportsDirectory: URL(fileURLWithPath: raw[.reportsDir] ?? "./reports", isDirectory: true).standardizedFileURL,
            metricsDirectory: raw[.metricsDir].map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL },
            healthcheckURL: check.value(nil) { try healthcheckURL() })
        let log = TallyConfiguration.LogSettings(format: check.value(.text) { try logFormat() }, level: check.value(.info) { try logLevel() })

        if let failure = ConfigurationProblems.failure(check.problems) { throw failure }
        return TallyConfiguration(
            stripe: stripe, database: database, mail: .init(alertRecipients: recipients, smtpURL: smtp, from: from),
            usageAlerts: usageAlerts, reconcile: reconcile, output: output, log: log, origins: origins)
    }

    /// Where a missing setting should go: the env file actually read, or where one would be read from.
    private var whereToSet: String {
        if let environmentFile { return "put it in \(environmentFile) (the env file read) or export it" }
        return "export it, or put it in an env file (\(ConfigurationSources.defaultEnvironmentFile), or --env-file PATH)"
    }

    static func isPlausibleEmail(_ text: String) -> Bool {
        text.range(of: #"^[^\s@<>,;"\\]+@[^\s@<>,;"\\]+\.[^\s@<>,;"\\]+$"#, options: .regularExpression) != nil
    }

    // MARK: - Keys with their own rules

    private func secretKey(loopback: Bool) throws -> Secret {
        guard let key = raw[.stripeSecretKey] else {
            if loopback { return Secret(StripeDefaults.sandboxAPIKey) }
            throw problem(.stripeSecretKey, "is not set",
                          "take a secret (sk_…) or restricted (rk_…) key from Stripe Dashboard → Developers → API keys, and \(whereToSet) (an env file must be owner-only: chmod 600)")
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

    /// `DATABASE_URL` is required of a job: it must run against the app's own database, never a new empty one.
    private func databaseURL() throws -> String? {
        guard let url = raw[.databaseURL] else {
            guard requirements.contains(.database) else { return nil }
            throw problem(.databaseURL, "is not set",
                          "name the app's database, the one holding its usage table (e.g. sqlite:/var/lib/app/app.sqlite or postgres://tally:PASSWORD@db:5432/app): \(whereToSet)")
        }
        do {
            _ = try DatabaseLocation(parsing: url)
        } catch let error as ConfigurationError {
            throw problem(.databaseURL, error.problem, error.fix)
        }
        return url
    }

    private func usageThresholds() throws -> [Double] {
        let thresholds = try list(.usageAlertThresholds).map { text -> Double in
            guard let value = Double(text), value > 0, value <= 10 else {
                throw problem(.usageAlertThresholds, "contains \"\(text)\", which is not a ratio above 0", "list ratios such as 0.5,0.8,0.95,1.0")
            }
            return value
        }
        guard !thresholds.isEmpty, thresholds == thresholds.sorted(), Set(thresholds).count == thresholds.count else {
            throw problem(.usageAlertThresholds, "must list distinct ratios in ascending order", "write e.g. 0.5,0.8,0.95,1.0")
        }
        return thresholds
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
