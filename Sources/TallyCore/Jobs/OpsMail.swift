/// Who hears of findings that need a person (`ALERT_EMAIL`) and whom the email is from (`MAIL_FROM`).
public struct OpsMail: Sendable, Equatable {
    /// The valid addresses of `ALERT_EMAIL`; empty when none is set (the job then logs why it sent nothing).
    public var recipients: [EmailAddress]
    public var sender: EmailAddress

    public init(recipients: [EmailAddress], sender: EmailAddress = EmailAddress(name: "Tally", address: "tally@localhost")) {
        self.recipients = recipients
        self.sender = sender
    }
}
