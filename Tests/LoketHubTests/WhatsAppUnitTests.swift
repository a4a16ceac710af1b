import Foundation
import LoketCore
import LoketHub
import LoketWire
import Testing

@Suite("WhatsApp: payloads, splitting, backoff")
struct WhatsAppUnitTests {
    @Test func longRepliesSplitAtWordsWithinTheLimitAndShortOnesStayWhole() {
        #expect(WhatsAppText.parts("Selamat pagi") == ["Selamat pagi"])
        let words = (1...30).map { "kata\($0)" }.joined(separator: " ")
        let parts = WhatsAppText.parts(words, limit: 40)
        #expect(parts.count > 1)
        #expect(parts.allSatisfy { $0.utf16.count <= 40 })
        #expect(parts.joined(separator: " ") == words, "cut only at spaces, nothing lost")
        #expect(parts.allSatisfy { !$0.hasPrefix(" ") && !$0.hasSuffix(" ") })
        // A word longer than a part is cut inside, but never inside a character.
        let long = String(repeating: "🙏", count: 30)
        let cut = WhatsAppText.parts(long, limit: 9)
        #expect(cut.allSatisfy { $0.utf16.count <= 9 })
        #expect(cut.joined() == long)
        // The real limit: 4,000 characters the hub accepts can exceed 4,096 UTF-16 units with emoji.
        let reply = String(repeating: "Terima kasih 🙏 ", count: 280)
        let real = WhatsAppText.parts(reply)
        #expect(real.count == 2)
        #expect(real.allSatisfy { $0.utf16.count <= WhatsAppText.maximumBody })
    }

    @Test func backoffDoublesUpToTheCapAndHonoursRetryAfter() {
        let policy = WhatsAppConfiguration.RetryPolicy(
            attempts: 5, initialDelay: .seconds(1), maximumDelay: .seconds(10), requestTimeout: .seconds(5))
        #expect(
            (1...6).map { policy.delay(after: $0) } == [
                .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10),
            ])
        #expect(policy.delay(after: 1, retryAfter: .seconds(7)) == .seconds(7))
        #expect(policy.delay(after: 1, retryAfter: .seconds(700)) == .seconds(10))
    }

    @Test func theConfigurationNeverDescribesItsSecrets() {
        let configuration = WhatsAppConfiguration(
            verifyToken: "verif-123", appSecret: "secret-456", accessToken: "EAAG-789", phoneNumberID: "1055",
            graphURL: "https://graph.facebook.com/v21.0/")
        #expect(configuration.messagesURL == "https://graph.facebook.com/v21.0/1055/messages")
        for secret in ["verif-123", "secret-456", "EAAG-789"] {
            #expect(!configuration.description.contains(secret))
            #expect(!"\(configuration)".contains(secret))
        }
    }

    @Test func webhookPayloadsGiveMessagesStatusesAndFilesOfTheHubsNumberOnly() throws {
        let webhook = try #require(
            WhatsAppWebhook.parse(
                MetaPayload.text(wamid: "wamid.A1", body: "Halo"), phoneNumberID: MetaPayload.phoneNumberID))
        #expect(
            webhook.messages == [
                WhatsAppWebhook.Inbound(
                    waID: MetaPayload.waID, name: "Sari Dewi", wamid: "wamid.A1",
                    sent: Date(timeIntervalSince1970: 1_796_002_790),
                    content: .text("Halo"))
            ])
        #expect(webhook.statuses.isEmpty)
        #expect(
            WhatsAppWebhook.parse(MetaPayload.text(wamid: "wamid.A1", body: "Halo"), phoneNumberID: "999")?.messages
                .isEmpty == true)
        let statuses = try #require(
            WhatsAppWebhook.parse(MetaPayload.status("wamid.OUT", .failed, code: 131026), phoneNumberID: nil))
        #expect(statuses.messages.isEmpty)
        #expect(statuses.statuses.first?.status == .failed)
        #expect(statuses.statuses.first?.errorCode == 131026)
        let image = try #require(WhatsAppWebhook.parse(MetaPayload.image(wamid: "wamid.IMG"), phoneNumberID: nil))
        guard case .other(let type, let details)? = image.messages.first?.content else {
            Issue.record("an image is not text")
            return
        }
        #expect(type == "image")
        #expect(details["id"]?.stringValue == "1234567890")
        #expect(details["mime_type"]?.stringValue == "image/jpeg")
        // A tapped quick-reply button or list entry is what the citizen said; a sender id that is not digits is
        // refused, since it becomes part of a conversation id.
        let button = MetaPayload.text(wamid: "wamid.B", body: "x").replacingOccurrences(
            of: #""text":{"body":"x"},"type":"text""#, with: #""button":{"payload":"P","text":"Ya, benar"},"type":"button""#)
        #expect(WhatsAppWebhook.parse(button, phoneNumberID: nil)?.messages.first?.content == .text("Ya, benar"))
        let strange = MetaPayload.text(wamid: "wamid.C", body: "Halo", from: "62../../x")
        #expect(WhatsAppWebhook.parse(strange, phoneNumberID: nil)?.messages.isEmpty == true)
        #expect(WhatsAppWebhook.parse(#"{"object":"page","entry":[]}"#, phoneNumberID: nil) == nil)
        #expect(WhatsAppWebhook.parse("bukan json", phoneNumberID: nil) == nil)
    }
}

/// Webhook bodies as Meta posts them (shapes from Meta's Cloud API reference), with a sender in Indonesia.
enum MetaPayload {
    static let phoneNumberID = "106540352242922"
    static let waID = "6281234567890"

    private static func envelope(_ value: String) -> String {
        // Compact as Meta sends it; the image's sha256 has an escaped slash, which a re-encoding would change.
        """
        {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{\
        "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881",\
        "phone_number_id":"\(phoneNumberID)"},\(value)},"field":"messages"}]}]}
        """
    }

    static func text(
        wamid: String, body: String, from: String = waID, name: String = "Sari Dewi", timestamp: Int = 1_796_002_790
    ) -> String {
        let escaped = JSON.string(body).serialized
        return envelope(
            #""contacts":[{"profile":{"name":"\#(name)"},"wa_id":"\#(from)"}],"messages":[{"from":"\#(from)","id":"\#(wamid)","#
                + #""timestamp":"\#(timestamp)","text":{"body":\#(escaped)},"type":"text"}]"#)
    }

    static func image(wamid: String) -> String {
        envelope(
            #""contacts":[{"profile":{"name":"Sari Dewi"},"wa_id":"\#(waID)"}],"messages":[{"from":"\#(waID)","id":"\#(wamid)","#
                + #""timestamp":"1796002795","type":"image","image":{"caption":"KTP saya","mime_type":"image/jpeg","#
                + #""sha256":"rZ1ZIe\/X5ZBDPdZjDPTCOJdn3TmFEcQdS4k7zw6wTdY=","id":"1234567890"}}]"#)
    }

    static func status(_ wamid: String, _ status: DeliveryStatus, code: Int? = nil, recipient: String = waID) -> String
    {
        let errors =
            code.map {
                #","errors":[{"code":\#($0),"title":"Message undeliverable","message":"Message undeliverable","#
                    + #""error_data":{"details":"Message failed to send."}}]"#
            } ?? ""
        return envelope(
            #""statuses":[{"id":"\#(wamid)","status":"\#(status.rawValue)","timestamp":"1796002900","#
                + #""recipient_id":"\#(recipient)","conversation":{"id":"CONVERSATION_ID","origin":{"type":"service"}},"#
                + #""pricing":{"billable":true,"pricing_model":"CBP","category":"service"}\#(errors)}]"#)
    }
}
