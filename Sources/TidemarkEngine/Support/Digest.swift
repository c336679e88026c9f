import TidemarkCore

/// SHA-256 as lowercase hex.
public enum Digest {
    public static func sha256(_ text: String) -> String {
        SHA256Hex.of(text)
    }
}
