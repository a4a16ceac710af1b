import ArgumentParser
import Foundation
import LoketHub

/// `loket-hub serve`'s WhatsApp options. Each secret may come from the command line, a file (`…-file`, one line:
/// what a secrets manager mounts) or the environment (`LOKET_WHATSAPP_…`); files and the environment keep it out
/// of `ps`. Secrets are never printed, also not in errors.
struct WhatsAppOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Token Meta's dashboard sends in the webhook handshake (or --whatsapp-verify-token-file, or "
            + "$LOKET_WHATSAPP_VERIFY_TOKEN)."))
    var whatsappVerifyToken: String?
    @Option(help: ArgumentHelp("File holding the verify token.", valueName: "PATH"))
    var whatsappVerifyTokenFile: String?

    @Option(help: ArgumentHelp(
        "The Meta app's secret, which signs webhook posts (or --whatsapp-app-secret-file, or "
            + "$LOKET_WHATSAPP_APP_SECRET)."))
    var whatsappAppSecret: String?
    @Option(help: ArgumentHelp("File holding the app secret.", valueName: "PATH"))
    var whatsappAppSecretFile: String?

    @Option(help: "Access token that sends replies (or --whatsapp-access-token-file, or $LOKET_WHATSAPP_ACCESS_TOKEN).")
    var whatsappAccessToken: String?
    @Option(help: ArgumentHelp("File holding the access token.", valueName: "PATH"))
    var whatsappAccessTokenFile: String?

    @Option(help: "The WhatsApp business number's id from Meta's dashboard (or $LOKET_WHATSAPP_PHONE_NUMBER_ID).")
    var whatsappPhoneNumberId: String?

    @Option(
        help: ArgumentHelp(
            "Graph API base with its version path (default \(WhatsAppConfiguration.defaultGraphURL)); http:// "
                + "only for a loopback address.", valueName: "URL"))
    var whatsappGraphUrl: String?

    /// The configuration, nil when no WhatsApp option is set at all; an error names what is missing or wrong.
    func configuration(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> WhatsAppConfiguration? {
        let verify = try secret(
            whatsappVerifyToken, file: whatsappVerifyTokenFile, variable: "LOKET_WHATSAPP_VERIFY_TOKEN", environment)
        let appSecret = try secret(
            whatsappAppSecret, file: whatsappAppSecretFile, variable: "LOKET_WHATSAPP_APP_SECRET", environment)
        let access = try secret(
            whatsappAccessToken, file: whatsappAccessTokenFile, variable: "LOKET_WHATSAPP_ACCESS_TOKEN", environment)
        let phone =
            whatsappPhoneNumberId ?? environment["LOKET_WHATSAPP_PHONE_NUMBER_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let given: [(String, String?)] = [
            ("--whatsapp-verify-token", verify), ("--whatsapp-app-secret", appSecret),
            ("--whatsapp-access-token", access), ("--whatsapp-phone-number-id", phone),
        ]
        if given.allSatisfy({ $0.1 == nil }) {
            if whatsappGraphUrl != nil {
                throw ValidationError("--whatsapp-graph-url needs the other WhatsApp options")
            }
            return nil
        }
        let missing = given.filter { $0.1 == nil }.map(\.0)
        guard missing.isEmpty, let verify, let appSecret, let access, let phone else {
            throw ValidationError(
                "WhatsApp needs \(missing.joined(separator: ", ")) too (or its -file option or variable)")
        }
        guard phone.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), phone.utf8.count <= 32
        else {
            throw ValidationError("--whatsapp-phone-number-id takes the number's id (digits) from Meta's dashboard")
        }
        let graph = whatsappGraphUrl ?? WhatsAppConfiguration.defaultGraphURL
        guard let url = URL(string: graph), let scheme = url.scheme, let host = url.host,
            scheme == "https" || (scheme == "http" && HostPort.isLoopback(host))
        else {
            throw ValidationError(
                "--whatsapp-graph-url must be https://… (http:// only on a loopback address), e.g. "
                    + WhatsAppConfiguration.defaultGraphURL
            )
        }
        return WhatsAppConfiguration(
            verifyToken: verify, appSecret: appSecret, accessToken: access, phoneNumberID: phone, graphURL: graph)
    }

    /// The secret from the option, else its file (first line, trimmed), else the variable; never echoed.
    private func secret(
        _ value: String?, file: String?, variable: String, _ environment: [String: String]
    ) throws -> String? {
        if value != nil, file != nil {
            throw ValidationError("give a secret either inline or as a file, not both (\(variable))")
        }
        if let value { return value.isEmpty ? nil : value }
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ValidationError("cannot read the secret file \(file)")
            }
            let line =
                text.split(whereSeparator: \.isNewline).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            guard !line.isEmpty else { throw ValidationError("the secret file \(file) is empty") }
            return line
        }
        return environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }
}
