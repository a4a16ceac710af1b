import Foundation
import LoketCore
import LoketWire

/// What one webhook post from Meta holds, read from its JSON: citizens' messages and the statuses of the hub's
/// own replies. Anything else in the payload (other fields, other numbers) is left alone.
public struct WhatsAppWebhook: Sendable, Equatable {
    /// A citizen's message as Meta delivered it.
    public struct Inbound: Sendable, Equatable {
        public var waID: String
        /// `contacts[].profile.name` of the sender, when Meta sent one.
        public var name: String?
        public var wamid: String
        public var sent: Date?
        public var content: Content

        public init(waID: String, name: String?, wamid: String, sent: Date?, content: Content) {
            self.waID = waID
            self.name = name
            self.wamid = wamid
            self.sent = sent
            self.content = content
        }
    }

    /// A message's content: text the engine can read, or something only a person can look at.
    public enum Content: Sendable, Equatable {
        case text(String)
        /// `type` as Meta names it (image, document, audio, video, sticker, location, contacts, …) and what is
        /// kept of it: the media id, its MIME type, file name and caption, a place's name and coordinates.
        case other(type: String, details: JSON)
    }

    /// Meta's word on a reply the hub sent.
    public struct Status: Sendable, Equatable {
        public var wamid: String
        public var recipient: String
        public var status: DeliveryStatus
        /// For `failed`: Meta's error code and title.
        public var errorCode: Int?
        public var errorTitle: String?
    }

    public var messages: [Inbound] = []
    public var statuses: [Status] = []

    /// Reads a payload; `phoneNumberID` keeps only what concerns the hub's own number (one Meta app may serve
    /// several). Nil when the body is not a WhatsApp webhook object.
    public static func parse(_ body: String, phoneNumberID: String?) -> WhatsAppWebhook? {
        guard let json = JSON.parse(body), json["object"]?.stringValue == "whatsapp_business_account" else {
            return nil
        }
        var webhook = WhatsAppWebhook()
        for entry in json["entry"]?.arrayItems ?? [] {
            for change in entry["changes"]?.arrayItems ?? [] where change["field"]?.stringValue == "messages" {
                guard let value = change["value"] else { continue }
                if let phoneNumberID, let target = value["metadata"]?["phone_number_id"]?.stringValue,
                    target != phoneNumberID
                {
                    continue
                }
                var names: [String: String] = [:]
                for contact in value["contacts"]?.arrayItems ?? [] {
                    if let id = contact["wa_id"]?.stringValue, let name = contact["profile"]?["name"]?.stringValue {
                        names[id] = name
                    }
                }
                for message in value["messages"]?.arrayItems ?? [] {
                    guard let from = message["from"]?.stringValue, Self.isWhatsAppID(from),
                        let wamid = message["id"]?.stringValue, !wamid.isEmpty, wamid.utf8.count <= 256,
                        let content = Self.content(message)
                    else { continue }
                    webhook.messages.append(
                        Inbound(
                            waID: from, name: names[from], wamid: wamid, sent: Self.time(message["timestamp"]),
                            content: content))
                }
                for status in value["statuses"]?.arrayItems ?? [] {
                    guard let wamid = status["id"]?.stringValue, !wamid.isEmpty, wamid.utf8.count <= 256,
                        let recipient = status["recipient_id"]?.stringValue, Self.isWhatsAppID(recipient),
                        let kind = status["status"]?.stringValue.flatMap(DeliveryStatus.init(rawValue:))
                    else { continue }
                    let error = status["errors"]?.arrayItems.first
                    webhook.statuses.append(
                        Status(
                            wamid: wamid, recipient: recipient, status: kind,
                            errorCode: error?["code"]?.wholeNumber.map { Int($0) },
                            errorTitle: error?["title"]?.stringValue ?? error?["message"]?.stringValue))
                }
            }
        }
        return webhook
    }

    /// Meta's `wa_id`: the sender's number in digits. Anything else is refused, since it becomes part of a
    /// conversation id.
    static func isWhatsAppID(_ text: String) -> Bool {
        (1...32).contains(text.utf8.count)
            && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static func time(_ value: JSON?) -> Date? {
        guard let text = value?.stringValue, let seconds = Double(text) else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    private static func content(_ message: JSON) -> Content? {
        guard let type = message["type"]?.stringValue else { return nil }
        switch type {
        case "text":
            guard let body = message["text"]?["body"]?.stringValue, !body.isEmpty else { return nil }
            return .text(body)
        case "button":
            // A tap on a quick-reply button: its label is what the citizen said.
            guard let label = message["button"]?["text"]?.stringValue, !label.isEmpty else { return nil }
            return .text(label)
        case "interactive":
            let reply = message["interactive"]?["button_reply"] ?? message["interactive"]?["list_reply"]
            guard let title = reply?["title"]?.stringValue, !title.isEmpty else { return nil }
            return .text(title)
        default:
            var details: [(String, JSON)] = [("type", .string(String(type.prefix(40))))]
            let part = message[type]
            for key in ["id", "mime_type", "filename", "caption", "name", "address"] {
                if let value = part?[key]?.stringValue { details.append((key, .string(String(value.prefix(1_000))))) }
            }
            for key in ["latitude", "longitude"] {
                if let value = part?[key], case .number = value { details.append((key, value)) }
                if let value = part?[key], case .integer = value { details.append((key, value)) }
            }
            return .other(type: String(type.prefix(40)), details: .object(details))
        }
    }
}
