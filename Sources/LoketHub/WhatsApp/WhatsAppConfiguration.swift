import Foundation

/// How the hub talks to the WhatsApp Cloud API: the webhook's secrets, the number it sends from, and how hard it
/// tries. Its `description` never shows a secret, so logging the configuration is safe.
public struct WhatsAppConfiguration: Sendable, CustomStringConvertible {
    /// Meta's Graph API with the version pinned: a new Graph version never changes the hub's behaviour by itself.
    public static let defaultGraphURL = "https://graph.facebook.com/v21.0"

    /// The token typed into Meta's dashboard for the webhook's subscription handshake.
    public var verifyToken: String
    /// The app secret: webhook posts are signed with it (`X-Hub-Signature-256`).
    public var appSecret: String
    /// The system user's access token that sends replies.
    public var accessToken: String
    /// The WhatsApp business number's id (not the phone number itself).
    public var phoneNumberID: String
    /// Graph API base including the version path, e.g. `https://graph.facebook.com/v21.0`.
    public var graphURL: String
    public var retry: RetryPolicy

    public init(
        verifyToken: String, appSecret: String, accessToken: String, phoneNumberID: String,
        graphURL: String = WhatsAppConfiguration.defaultGraphURL, retry: RetryPolicy = RetryPolicy()
    ) {
        self.verifyToken = verifyToken
        self.appSecret = appSecret
        self.accessToken = accessToken
        self.phoneNumberID = phoneNumberID
        self.graphURL = graphURL.hasSuffix("/") ? String(graphURL.dropLast()) : graphURL
        self.retry = retry
    }

    /// `{graph-url}/{phone-number-id}/messages`: where replies are posted.
    public var messagesURL: String { "\(graphURL)/\(phoneNumberID)/messages" }

    public var description: String {
        "WhatsApp(phone number id \(phoneNumberID), graph \(graphURL), secrets redacted)"
    }

    /// How often and how patiently a reply is sent again when Meta is down or asks to slow down.
    public struct RetryPolicy: Sendable, Equatable {
        /// Tries per part of a reply, the first included.
        public var attempts: Int
        public var initialDelay: Duration
        public var maximumDelay: Duration
        /// One request's limit, connecting included.
        public var requestTimeout: Duration

        public init(
            attempts: Int = 8, initialDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(60),
            requestTimeout: Duration = .seconds(30)
        ) {
            self.attempts = max(1, attempts)
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
            self.requestTimeout = requestTimeout
        }

        /// The pause before try `attempt + 1` (1-based `attempt`): doubling from `initialDelay`, at most
        /// `maximumDelay`; a `Retry-After` from Meta counts when longer, still capped.
        public func delay(after attempt: Int, retryAfter: Duration? = nil) -> Duration {
            var delay = initialDelay
            for _ in 1..<max(1, attempt) where delay < maximumDelay { delay *= 2 }
            if let retryAfter, retryAfter > delay { delay = retryAfter }
            return min(delay, maximumDelay)
        }
    }
}
