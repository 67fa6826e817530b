import NIOSSL
import PostgresNIO

/// The TLS settings an `sslmode` asks for, as libpq reads them: `require` encrypts without verifying,
/// `verify-full` verifies the chain and the host name.
struct PostgresTLS {
    var mode: PostgresSSLMode
    var tlsConfiguration: TLSConfiguration?
    var sslContext: NIOSSLContext?

    init(location: DatabaseLocation.PostgresLocation) throws {
        mode = location.sslMode
        switch location.sslMode {
        case .disable:
            tlsConfiguration = nil
        case .prefer, .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            tlsConfiguration = configuration
        case .verifyFull:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .fullVerification
            tlsConfiguration = configuration
        }
        do {
            sslContext = try tlsConfiguration.map { try NIOSSLContext(configuration: $0) }
        } catch {
            throw ConfigurationError(
                key: DatabaseLocation.settingKey,
                problem: "asks for sslmode=\(mode.rawValue), but TLS cannot be set up here (\(error))",
                fix: "install the system's CA certificates, or use sslmode=disable on a trusted network"
            )
        }
    }

    /// For one connection (migrations, job locks).
    func connectionConfiguration(for location: DatabaseLocation.PostgresLocation) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = switch (mode, sslContext) {
        case (.prefer, let context?): .prefer(context)
        case (.require, let context?), (.verifyFull, let context?): .require(context)
        default: .disable
        }
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user,
            password: location.password?.revealed, database: location.database, tls: tls
        )
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// For the pool.
    func clientConfiguration(for location: DatabaseLocation.PostgresLocation) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch (mode, tlsConfiguration) {
        case (.prefer, let configuration?): .prefer(configuration)
        case (.require, let configuration?), (.verifyFull, let configuration?): .require(configuration)
        default: .disable
        }
        return PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user,
            password: location.password?.revealed, database: location.database, tls: tls
        )
    }
}
