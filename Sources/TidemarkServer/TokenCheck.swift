import Crypto

/// Compares a presented secret with the expected one in time independent of both their
/// contents and their lengths: both are hashed to 32 bytes first, then compared in full.
enum TokenCheck {
    static func matches(_ presented: some Sequence<UInt8>, _ expected: some Sequence<UInt8>) -> Bool {
        let a = Array(SHA256.hash(data: Array(presented)))
        let b = Array(SHA256.hash(data: Array(expected)))
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
