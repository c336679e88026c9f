import Crypto
import Foundation

/// An HTTP request as Signature Version 4 sees it. `path` is the decoded path; `query`
/// holds decoded names and values; header names keep the case they were given.
public struct SignableRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [(String, String)]
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String, path: String = "/", query: [(String, String)] = [], headers: [(String, String)], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// AWS Signature Version 4 (HMAC-SHA256), as the AWS General Reference specifies it and its
/// published test suite checks it. Used to sign the API backend's requests and to verify
/// requests to `tidemark services serve` when it listens beyond loopback.
public enum SigV4 {
    public struct Scope: Sendable, Hashable {
        /// `20150830`
        public var date: String
        public var region: String
        public var service: String

        public init(date: String, region: String, service: String) {
            self.date = date
            self.region = region
            self.service = service
        }

        public var text: String { "\(date)/\(region)/\(service)/aws4_request" }
    }

    /// `20150830T123600Z` for a moment.
    public static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ v: Int?, _ width: Int) -> String {
            let s = String(v ?? 0)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z"
    }

    /// Signs `request` at `date`: returns it with `X-Amz-Date`, `X-Amz-Security-Token` (for
    /// temporary credentials) and `Authorization` added. Every header it carries is signed.
    public static func sign(_ request: SignableRequest, credentials: AWSCredentials, region: String, service: String, date: Date) -> SignableRequest {
        var r = request
        let stamp = amzDate(date)
        r.headers.removeAll { ["x-amz-date", "authorization", "x-amz-security-token"].contains($0.0.lowercased()) }
        r.headers.append(("X-Amz-Date", stamp))
        if let token = credentials.sessionToken { r.headers.append(("X-Amz-Security-Token", token)) }
        let scope = Scope(date: String(stamp.prefix(8)), region: region, service: service)
        r.headers.append(("Authorization", authorization(r, accessKeyID: credentials.accessKeyID, secret: credentials.secretAccessKey, scope: scope, amzDate: stamp)))
        return r
    }

    /// The `Authorization` header value for a request whose headers are final (it signs them all).
    public static func authorization(_ r: SignableRequest, accessKeyID: String, secret: String, scope: Scope, amzDate: String) -> String {
        let (canonical, signed) = canonicalRequest(r, signing: nil)
        let sig = signature(canonicalRequest: canonical, secret: secret, scope: scope, amzDate: amzDate)
        return "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope.text), SignedHeaders=\(signed), Signature=\(sig)"
    }

    public static func signature(canonicalRequest: String, secret: String, scope: Scope, amzDate: String) -> String {
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope.text)\n\(hex(SHA256.hash(data: Array(canonicalRequest.utf8))))"
        var key = SymmetricKey(data: Array(("AWS4" + secret).utf8))
        for part in [scope.date, scope.region, scope.service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// The canonical request and its signed-header list. `signing` limits the headers to
    /// those names (lowercase), as a verifier must; nil signs every header.
    public static func canonicalRequest(_ r: SignableRequest, signing: Set<String>?) -> (String, String) {
        var grouped: [String: [String]] = [:]
        for (name, value) in r.headers {
            let key = name.lowercased()
            if let signing, !signing.contains(key) { continue }
            grouped[key, default: []].append(trimmed(value))
        }
        let names = grouped.keys.sorted()
        let headerLines = names.map { "\($0):\(grouped[$0, default: []].joined(separator: ","))\n" }.joined()
        let signed = names.joined(separator: ";")
        let pairs: [(String, String)] = r.query.map { (encode($0.0), encode($0.1)) }
        let sortedPairs = pairs.sorted { (a: (String, String), b: (String, String)) -> Bool in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        let query = sortedPairs.map { (p: (String, String)) -> String in p.0 + "=" + p.1 }.joined(separator: "&")
        let path = r.path.isEmpty ? "/" : r.path.split(separator: "/", omittingEmptySubsequences: false)
            .map { encode(String($0)) }.joined(separator: "/")
        let payload = hex(SHA256.hash(data: r.body))
        return ("\(r.method)\n\(path)\n\(query)\n\(headerLines)\n\(signed)\n\(payload)", signed)
    }

    /// A parsed `Authorization` header.
    public struct Authorization: Sendable {
        public var accessKeyID: String
        public var scope: Scope
        public var signedHeaders: [String]
        public var signature: String
    }

    public static func parse(authorization text: String) -> Authorization? {
        guard text.hasPrefix("AWS4-HMAC-SHA256 ") else { return nil }
        var fields: [String: String] = [:]
        for part in text.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { fields[kv[0]] = kv[1] }
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"] else { return nil }
        let c = credential.split(separator: "/").map(String.init)
        guard c.count == 5, c[4] == "aws4_request" else { return nil }
        return Authorization(accessKeyID: c[0], scope: Scope(date: c[1], region: c[2], service: c[3]),
                             signedHeaders: signed.split(separator: ";").map(String.init), signature: signature)
    }

    /// Whether a received request carries a valid signature by the key `accessKeyID` with
    /// `secret`, made within `skew` seconds of `now`.
    public static func verify(_ r: SignableRequest, accessKeyID: String, secret: String, now: Date, skew: Double = 900) -> Bool {
        guard let text = r.headers.first(where: { $0.0.lowercased() == "authorization" })?.1,
              let auth = parse(authorization: text), auth.accessKeyID == accessKeyID,
              let stamp = r.headers.first(where: { $0.0.lowercased() == "x-amz-date" })?.1,
              stamp.hasPrefix(auth.scope.date), let when = date(amzDate: stamp), abs(when.timeIntervalSince(now)) <= skew,
              auth.signedHeaders.contains("host")
        else { return false }
        let (canonical, _) = canonicalRequest(r, signing: Set(auth.signedHeaders))
        let expected = signature(canonicalRequest: canonical, secret: secret, scope: auth.scope, amzDate: stamp)
        // Constant time: compare every byte.
        let a = Array(expected.utf8), b = Array(auth.signature.utf8)
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    static func date(amzDate s: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.date(from: s)
    }

    /// Trims a header value and collapses runs of spaces, as the canonical form asks.
    static func trimmed(_ value: String) -> String {
        var out = ""
        var space = false
        for ch in value.trimmingCharacters(in: .whitespaces) {
            if ch == " " || ch == "\t" {
                space = true
            } else {
                if space { out.append(" ") }
                space = false
                out.append(ch)
            }
        }
        return out
    }

    /// Percent-encodes everything but the unreserved characters (`A-Z a-z 0-9 - _ . ~`).
    public static func encode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                let digits = Array("0123456789ABCDEF")
                out.append("%")
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
        }
        return out
    }

    public static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef")
        var out = ""
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return out
    }
}
