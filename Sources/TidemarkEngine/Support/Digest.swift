import Crypto

/// SHA-256 as lowercase hex.
public enum Digest {
    public static func sha256(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { b in b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16) }.joined()
    }
}
