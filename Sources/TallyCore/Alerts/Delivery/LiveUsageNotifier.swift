import Foundation

/// Delivers notices for real: emails (HTML and plain text from the templates), in-app rows, signed webhooks.
public struct LiveUsageNotifier: UsageNotifier {
    public var templates: AlertTemplateSet
    public var mailer: any Mailer
    public var from: EmailAddress
    public var store: any UsageAlertStore
    public var http: any HTTPTransport
    public var clock: any TallyClock

    public init(templates: AlertTemplateSet, mailer: any Mailer, from: EmailAddress, store: any UsageAlertStore,
                http: any HTTPTransport, clock: any TallyClock) {
        self.templates = templates
        self.mailer = mailer
        self.from = from
        self.store = store
        self.http = http
        self.clock = clock
    }

    public func deliver(_ notice: UsageNotice, on channel: AlertChannel, recipients: UsageNoticeRecipients) async throws {
        let values = notice.templateValues
        switch channel {
        case .email:
            let to = recipients.owners.compactMap { EmailAddress(parsing: $0) }
            guard !to.isEmpty else { throw AlertDeliveryError(channel: .email, message: "team \(notice.teamID) has no owner with an email address") }
            _ = try await mailer.send(EmailMessage(
                from: from, to: to, subject: try Self.subjectLine(templates.subject.render(values)),
                textBody: try templates.text.render(values), htmlBody: try templates.html.render(values), date: clock.now()))
        case .ops:
            let to = recipients.ops.compactMap { EmailAddress(parsing: $0) }
            guard !to.isEmpty else { return }
            _ = try await mailer.send(EmailMessage(
                from: from, to: to, subject: try Self.subjectLine(templates.opsSubject.render(values)),
                textBody: try templates.opsText.render(values), htmlBody: try templates.opsHTML.render(values), date: clock.now()))
        case .inApp:
            try await store.insertInAppNotification(InAppNotificationRecord(
                teamID: notice.teamID, periodStart: notice.period.start, threshold: notice.threshold,
                level: notice.level.rawValue, title: try Self.subjectLine(templates.subject.render(values)),
                body: try templates.summary.render(values), createdAt: clock.now()))
        case .webhook:
            guard let webhook = recipients.webhook else { return }
            try await post(text: try templates.summary.render(values), to: webhook)
        }
    }

    /// Slack-compatible JSON (`{"text": …}`), signed with the team's secret.
    private func post(text: String, to webhook: TeamWebhook) async throws {
        let body = try JSONEncoder().encode(["text": text])
        let timestamp = Int64(clock.now().timeIntervalSince1970)
        var headers = HTTPHeaderFields()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: WebhookSignature.timestampHeader, value: String(timestamp))
        headers.add(name: WebhookSignature.signatureHeader,
                    value: WebhookSignature.sign(body: body, timestamp: timestamp, secret: webhook.secret))
        let response: HTTPResponse
        do {
            response = try await http.execute(HTTPRequest(method: .post, url: webhook.url, headers: headers, body: body,
                                                          connectTimeout: .seconds(5), totalTimeout: .seconds(15)))
        } catch {
            throw AlertDeliveryError(channel: .webhook, message: "the team's webhook could not be reached (\(type(of: error)))")
        }
        guard (200..<300).contains(response.status) else {
            throw AlertDeliveryError(channel: .webhook, message: "the team's webhook answered HTTP \(response.status)")
        }
    }

    /// A subject is one line: the MIME encoder guards headers too, but a title in the app must not wrap either.
    static func subjectLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 }).trimmingCharacters(in: .whitespaces)
    }
}
