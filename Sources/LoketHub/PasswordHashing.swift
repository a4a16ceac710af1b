import HummingbirdBcrypt

/// Officer passwords: bcrypt at cost 10 (about 60 ms here), verified off the event loop by the server.
public enum PasswordHashing {
    public static let cost: UInt8 = 10

    public static func hash(_ password: String) -> String { Bcrypt.hash(password, cost: cost) }

    public static func verify(_ password: String, hash: String) -> Bool { Bcrypt.verify(password, hash: hash) }
}
