import Crypto

/// SHA-256 written as lowercase hex: resource digests, physical-name suffixes, spec hashes,
/// the audit chain and plan digests all spell it this one way.
public enum SHA256Hex {
    public static func of(_ text: String) -> String { hex(SHA256.hash(data: Array(text.utf8))) }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { b in b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16) }.joined()
    }
}
