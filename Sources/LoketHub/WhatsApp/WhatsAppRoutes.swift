import Foundation
import HTTPTypes
import Hummingbird
import Logging
import LoketCore
import NIOCore

/// `GET` and `POST /webhooks/whatsapp`: Meta's subscription handshake and its signed message posts.
public enum WhatsAppRoutes {
    public static let path = "/webhooks/whatsapp"
    /// Meta's posts are small (a few KiB); its documented ceiling is 3 MB.
    static let maximumBody = 3 * 1024 * 1024
    /// `hub.challenge` is a number in practice; anything longer is not Meta.
    static let maximumChallenge = 256

    /// Adds both routes to `router`.
    public static func add<Context: RequestContext>(
        to router: Router<Context>, hub: Hub, configuration: WhatsAppConfiguration, logger: Logger
    ) {
        // Digests are compared, so not even the token's length shows in how long a refusal takes.
        let verifyDigest = SHA256.digest(Array(configuration.verifyToken.utf8))
        let secret = Array(configuration.appSecret.utf8)
        router.get(RouterPath(path)) { request, _ -> Response in
            let query = request.uri.queryParameters
            let mode = query.get("hub.mode")
            let token = query.get("hub.verify_token").map { Array($0.utf8) } ?? []
            guard mode == "subscribe", HMACSHA256.constantTimeEquals(SHA256.digest(token), verifyDigest),
                let challenge = query.get("hub.challenge"), !challenge.isEmpty,
                challenge.utf8.count <= maximumChallenge
            else {
                logger.warning("whatsapp webhook handshake refused")
                return plain(.forbidden, "forbidden")
            }
            logger.info("whatsapp webhook subscribed")
            return plain(.ok, challenge)
        }
        router.post(RouterPath(path)) { request, _ -> Response in
            // The signature covers the bytes as Meta sent them: verify before anything reads (or re-encodes) them.
            let buffer = try await request.body.collect(upTo: maximumBody)
            let body = Array(buffer.readableBytesView)
            let signature = signatureField.flatMap { request.headers[$0] }
            guard HMACSHA256.verify(signatureHeader: signature, body: body, secret: secret) else {
                logger.warning("whatsapp webhook with a bad or missing signature refused")
                hub.metrics.whatsAppRefused.increment()
                return plain(.unauthorized, "bad signature")
            }
            guard
                let webhook = WhatsAppWebhook.parse(
                    String(decoding: body, as: UTF8.self), phoneNumberID: configuration.phoneNumberID)
            else {
                // Signed by Meta but not a WhatsApp message post (another product's test ping): nothing to keep.
                return plain(.ok, "ignored")
            }
            do {
                try await hub.receive(webhook)
            } catch {
                // Not stored: a non-200 makes Meta send it again later (a stored wamid is never stored twice).
                logger.error("whatsapp webhook not stored", metadata: ["error": "\(error)"])
                return plain(.serviceUnavailable, "try again")
            }
            logger.debug(
                "whatsapp webhook",
                metadata: ["messages": "\(webhook.messages.count)", "statuses": "\(webhook.statuses.count)"])
            return plain(.ok, "ok")
        }
    }

    private static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Meta's webhook signature: `sha256=` and the hex HMAC-SHA256 of the raw body under the app secret. The
    /// literal is a valid token, so this is never nil.
    static let signatureField = HTTPField.Name("X-Hub-Signature-256")
}
