extension TallyMigration {
    /// What acting on billing events needs (issue 15): one access row per team the app's middleware reads
    /// (`tally_team_access`), the events already acted on (`tally_billing_events`, so a redelivery changes
    /// nothing), the invoices, customers and payment methods the events carry, each stamped with the
    /// `created` of the event that wrote it last so an older event never overwrites newer state, the emails
    /// sent per event (`tally_billing_emails`), problems reported once per team (`tally_billing_problems`),
    /// Stripe's meter error reports (`tally_meter_error_reports`), and the `rejected` delivery status for meter
    /// events Stripe accepted and later reported invalid. The status is a CHECK constraint, replaced as V6 did.
    static let v7BillingEvents = TallyMigration(
        "v7-billing-events",
        sqlite: { p in
            let columns = "id, usage_row_id, identifier, customer_id, event_name, value, event_timestamp, status, attempts, "
                + "last_error, stripe_request_id, idempotency_key, sent_at, created_at, updated_at"
            return BillingEventTables.sqlite(p) + [
                """
                CREATE TABLE \(p)meter_event_deliveries_v7 (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    usage_row_id TEXT NOT NULL,
                    identifier TEXT NOT NULL UNIQUE,
                    customer_id TEXT NOT NULL,
                    event_name TEXT NOT NULL,
                    value INTEGER NOT NULL,
                    event_timestamp INTEGER NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'unconfirmed', 'sent', 'failed', 'needs_human', 'cancelled', 'rejected')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    stripe_request_id TEXT,
                    idempotency_key TEXT,
                    sent_at INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                )
                """,
                "INSERT INTO \(p)meter_event_deliveries_v7 (\(columns)) SELECT \(columns) FROM \(p)meter_event_deliveries",
                "DROP TABLE \(p)meter_event_deliveries",
                "ALTER TABLE \(p)meter_event_deliveries_v7 RENAME TO \(p)meter_event_deliveries",
                "CREATE INDEX \(p)meter_event_deliveries_status ON \(p)meter_event_deliveries (status)",
                "CREATE INDEX \(p)meter_event_deliveries_row ON \(p)meter_event_deliveries (usage_row_id)",
            ]
        },
        postgres: { p in
            BillingEventTables.postgres(p) + [
                "ALTER TABLE \(p)meter_event_deliveries DROP CONSTRAINT \(p)meter_event_deliveries_status_known",
                """
                ALTER TABLE \(p)meter_event_deliveries ADD CONSTRAINT \(p)meter_event_deliveries_status_known
                    CHECK (status IN ('pending', 'unconfirmed', 'sent', 'failed', 'needs_human', 'cancelled', 'rejected'))
                """,
            ]
        }
    )
}

/// The V7 tables, once per dialect (SQLite keeps booleans as 0/1 integers, PostgreSQL as `boolean`).
enum BillingEventTables {
    static func sqlite(_ p: String) -> [String] {
        statements(p, text: "TEXT", bigint: "INTEGER", boolean: "INTEGER", falseValue: "0")
    }

    static func postgres(_ p: String) -> [String] {
        statements(p, text: "text", bigint: "bigint", boolean: "boolean", falseValue: "false")
    }

    private static func statements(_ p: String, text: String, bigint: String, boolean: String, falseValue: String) -> [String] {
        [
            """
            CREATE TABLE \(p)team_access (
                team_id \(text) PRIMARY KEY,
                customer_id \(text),
                subscription_id \(text),
                subscription_status \(text),
                features \(text) NOT NULL DEFAULT '',
                allowance \(bigint),
                used \(bigint) NOT NULL DEFAULT 0,
                remaining \(bigint),
                blocked \(boolean) NOT NULL DEFAULT \(falseValue),
                status_event_id \(text),
                status_event_created \(bigint),
                updated_at \(bigint) NOT NULL
            )
            """,
            "CREATE INDEX \(p)team_access_customer ON \(p)team_access (customer_id)",
            """
            CREATE TABLE \(p)billing_events (
                event_id \(text) PRIMARY KEY,
                event_type \(text) NOT NULL,
                customer_id \(text),
                outcome \(text) NOT NULL,
                applied_at \(bigint) NOT NULL
            )
            """,
            """
            CREATE TABLE \(p)billing_customers (
                customer_id \(text) PRIMARY KEY,
                name \(text),
                email \(text),
                default_payment_method \(text),
                event_id \(text) NOT NULL,
                event_created \(bigint) NOT NULL,
                updated_at \(bigint) NOT NULL
            )
            """,
            """
            CREATE TABLE \(p)invoices (
                invoice_id \(text) PRIMARY KEY,
                customer_id \(text),
                subscription_id \(text),
                number \(text),
                status \(text),
                currency \(text) NOT NULL,
                amount_due \(bigint) NOT NULL,
                amount_paid \(bigint) NOT NULL,
                amount_remaining \(bigint) NOT NULL,
                hosted_invoice_url \(text),
                next_payment_attempt \(bigint),
                period_start \(bigint),
                period_end \(bigint),
                event_id \(text) NOT NULL,
                event_created \(bigint) NOT NULL,
                updated_at \(bigint) NOT NULL
            )
            """,
            "CREATE INDEX \(p)invoices_customer ON \(p)invoices (customer_id)",
            """
            CREATE TABLE \(p)payment_methods (
                payment_method_id \(text) PRIMARY KEY,
                customer_id \(text),
                type \(text),
                attached \(boolean) NOT NULL,
                event_id \(text) NOT NULL,
                event_created \(bigint) NOT NULL,
                updated_at \(bigint) NOT NULL
            )
            """,
            "CREATE INDEX \(p)payment_methods_customer ON \(p)payment_methods (customer_id)",
            """
            CREATE TABLE \(p)billing_emails (
                event_id \(text) NOT NULL,
                kind \(text) NOT NULL,
                team_id \(text) NOT NULL,
                recipients \(text) NOT NULL,
                status \(text) NOT NULL,
                attempts \(bigint) NOT NULL DEFAULT 0,
                last_error \(text),
                sent_at \(bigint),
                PRIMARY KEY (event_id, kind, team_id)
            )
            """,
            """
            CREATE TABLE \(p)billing_problems (
                team_id \(text) NOT NULL,
                problem \(text) NOT NULL,
                event_id \(text) NOT NULL,
                recorded_at \(bigint) NOT NULL,
                PRIMARY KEY (team_id, problem)
            )
            """,
            """
            CREATE TABLE \(p)meter_error_reports (
                event_id \(text) PRIMARY KEY,
                event_type \(text) NOT NULL,
                meter_id \(text),
                error_count \(bigint) NOT NULL,
                window_start \(bigint),
                window_end \(bigint),
                codes \(text) NOT NULL,
                rows_matched \(bigint) NOT NULL,
                created \(bigint) NOT NULL,
                recorded_at \(bigint) NOT NULL
            )
            """,
        ]
    }
}
