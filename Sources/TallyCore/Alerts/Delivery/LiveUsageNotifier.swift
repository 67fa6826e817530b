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
        try await deliver([UsageNoticeDelivery(notice: notice, channel: channel, recipients: recipients)])[0].get()
    }

    /// The batch's in-app rows in one insert and its emails in one `Mailer` batch (one disk flush for the
    /// outbox); webhooks one after the other, each to its own team's receiver.
    public func deliver(_ deliveries: [UsageNoticeDelivery]) async -> [Result<Void, any Error>] {
        var results = [Result<Void, any Error>](repeating: .success(()), count: deliveries.count)
        var inApp: [(index: Int, record: InAppNotificationRecord)] = []
        var emails: [(index: Int, message: EmailMessage)] = []
        for (index, delivery) in deliveries.enumerated() {
            do {
                switch delivery.channel {
                case .inApp:
                    inApp.append((index, try inAppRecord(delivery.notice)))
                case .email, .ops:
                    if let message = try email(delivery) { emails.append((index, message)) }
                case .webhook:
                    guard let webhook = delivery.recipients.webhook else { continue }
                    try await post(text: try templates.summary.render(delivery.notice.templateValues), to: webhook)
                }
            } catch {
                results[index] = .failure(error)
            }
        }
        if !inApp.isEmpty {
            do {
                try await store.insertInAppNotifications(inApp.map(\.record))
            } catch {
                for entry in inApp { results[entry.index] = .failure(error) }
            }
        }
        if !emails.isEmpty {
            for (entry, sent) in zip(emails, await mailer.send(emails.map(\.message))) {
                if case .failure(let error) = sent { results[entry.index] = .failure(error) }
            }
        }
        return results
    }

    /// The owners' or ops' email for a delivery; nil for ops when `ALERT_EMAIL` names nobody.
    private func email(_ delivery: UsageNoticeDelivery) throws -> EmailMessage? {
        let notice = delivery.notice, values = notice.templateValues
        if delivery.channel == .ops {
            let to = delivery.recipients.ops.compactMap { EmailAddress(parsing: $0) }
            guard !to.isEmpty else { return nil }
            return EmailMessage(
                from: from, to: to, subject: try Self.subjectLine(templates.opsSubject.render(values)),
                textBody: try templates.opsText.render(values), htmlBody: try templates.opsHTML.render(values), date: clock.now())
        }
        let to = delivery.recipients.owners.compactMap { EmailAddress(parsing: $0) }
        guard !to.isEmpty else { throw AlertDeliveryError(channel: .email, message: "team \(notice.teamID) has no owner with an email address") }
        return EmailMessage(
            from: from, to: to, subject: try Self.subjectLine(templates.subject.render(values)),
            textBody: try templates.text.render(values), htmlBody: try templates.html.render(values), date: clock.now())
    }

    /// The row the app's notification centre lists.
    private func inAppRecord(_ notice: UsageNotice) throws -> InAppNotificationRecord {
        let values = notice.templateValues
        return InAppNotificationRecord(
            teamID: notice.teamID, periodStart: notice.period.start, threshold: notice.threshold,
            level: notice.level.rawValue, title: try Self.subjectLine(templates.subject.render(values)),
            body: try templates.summary.render(values), createdAt: clock.now())
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
        // Most subjects are ASCII with no tab, line break or space at either end: nothing to change.
        let bytes = text.utf8
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), bytes.first != 0x20, bytes.last != 0x20 { return text }
        return String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 }).trimmingCharacters(in: .whitespaces)
    }
}
