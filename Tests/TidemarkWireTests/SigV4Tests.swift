import Foundation
import Testing
import TidemarkWire

/// Signature Version 4 against AWS's published test suite (the "Signature Version 4 Test
/// Suite" of the AWS General Reference: credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z,
/// us-east-1, service "service"); each case's expected signature is the suite's.
struct SigV4Tests {
    struct Vector: Sendable, CustomStringConvertible {
        var name: String
        var method: String
        var path = "/"
        var query: [(String, String)] = []
        var headers: [(String, String)] = []
        var body = ""
        var signedHeaders = "host;x-amz-date"
        var signature: String
        var description: String { name }
    }

    static let key = "AKIDEXAMPLE"
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let scope = SigV4.Scope(date: "20150830", region: "us-east-1", service: "service")
    static let token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

    static let vectors: [Vector] = [
        Vector(name: "get-vanilla", method: "GET", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "get-vanilla-empty-query-key", method: "GET", query: [("Param1", "value1")],
               signature: "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        Vector(name: "get-vanilla-query-order-key-case", method: "GET", query: [("Param2", "value2"), ("Param1", "value1")],
               signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(name: "get-vanilla-query-unreserved", method: "GET",
               query: [("-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")],
               signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        Vector(name: "get-vanilla-utf8-query", method: "GET", query: [("ሴ", "bar")],
               signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        Vector(name: "get-unreserved", method: "GET", path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
               signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        Vector(name: "get-utf8", method: "GET", path: "/ሴ", signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        Vector(name: "get-header-key-duplicate", method: "GET", headers: [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
               signedHeaders: "host;my-header1;x-amz-date", signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        Vector(name: "get-header-value-order", method: "GET", headers: [("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"), ("My-Header1", "value2")],
               signedHeaders: "host;my-header1;x-amz-date", signature: "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        Vector(name: "get-header-value-trim", method: "GET", headers: [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
               signedHeaders: "host;my-header1;my-header2;x-amz-date", signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        Vector(name: "post-vanilla", method: "POST", signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(name: "post-vanilla-query", method: "POST", query: [("Param1", "value1")],
               signature: "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        Vector(name: "post-header-key-sort", method: "POST", headers: [("My-Header1", "value1")],
               signedHeaders: "host;my-header1;x-amz-date", signature: "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
        Vector(name: "post-header-value-case", method: "POST", headers: [("My-Header1", "VALUE1")],
               signedHeaders: "host;my-header1;x-amz-date", signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
        Vector(name: "post-sts-header-before", method: "POST", headers: [("X-Amz-Security-Token", token)],
               signedHeaders: "host;x-amz-date;x-amz-security-token", signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
        Vector(name: "post-x-www-form-urlencoded", method: "POST", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "Param1=value1",
               signedHeaders: "content-type;host;x-amz-date", signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        Vector(name: "post-x-www-form-urlencoded-parameters", method: "POST", headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf8")],
               body: "Param1=value1", signedHeaders: "content-type;host;x-amz-date", signature: "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
    ]

    func request(_ v: Vector) -> SignableRequest {
        SignableRequest(method: v.method, path: v.path, query: v.query,
                        headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")] + v.headers, body: Array(v.body.utf8))
    }

    @Test(arguments: vectors)
    func theSuiteSignature(_ v: Vector) {
        let auth = SigV4.authorization(request(v), accessKeyID: Self.key, secret: Self.secret, scope: Self.scope, amzDate: "20150830T123600Z")
        #expect(auth == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(v.signedHeaders), Signature=\(v.signature)")
    }

    @Test func signAddsTheDateTokenAndAuthorizationAndTheSuiteVectorStillHolds() throws {
        let date = try #require(ISO8601DateFormatter().date(from: "2015-08-30T12:36:00Z"))
        let credentials = AWSCredentials(accessKeyID: Self.key, secretAccessKey: Self.secret, sessionToken: Self.token, source: "test")
        let signed = SigV4.sign(SignableRequest(method: "POST", headers: [("Host", "example.amazonaws.com")]), credentials: credentials,
                                region: "us-east-1", service: "service", date: date)
        let auth = try #require(signed.headers.first { $0.0 == "Authorization" }?.1)
        #expect(auth.hasSuffix("Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"))
        #expect(signed.headers.contains { $0.0 == "X-Amz-Date" && $0.1 == "20150830T123600Z" })
        #expect(!"\(credentials)".contains(Self.secret) && !"\(credentials)".contains(Self.token))
    }

    @Test func verifyAcceptsOnlyTheRightKeyTheSameBodyAndAFreshDate() throws {
        let now = Date()
        let credentials = AWSCredentials(accessKeyID: "tidemark", secretAccessKey: "s3cret", source: "test")
        let request = SignableRequest(method: "POST", headers: [("Host", "127.0.0.1:4566"), ("X-Amz-Target", "SageMaker.ListModels")], body: Array("{}".utf8))
        let signed = SigV4.sign(request, credentials: credentials, region: "us-east-1", service: "sagemaker", date: now)
        #expect(SigV4.verify(signed, accessKeyID: "tidemark", secret: "s3cret", now: now))
        #expect(!SigV4.verify(signed, accessKeyID: "tidemark", secret: "wrong", now: now))
        #expect(!SigV4.verify(signed, accessKeyID: "other", secret: "s3cret", now: now))
        var tampered = signed
        tampered.body = Array("{\"MaxResults\":1}".utf8)
        #expect(!SigV4.verify(tampered, accessKeyID: "tidemark", secret: "s3cret", now: now))
        var retargeted = signed
        retargeted.headers = retargeted.headers.map { $0.0 == "X-Amz-Target" ? ($0.0, "SageMaker.DeleteModel") : $0 }
        #expect(!SigV4.verify(retargeted, accessKeyID: "tidemark", secret: "s3cret", now: now))
        #expect(!SigV4.verify(signed, accessKeyID: "tidemark", secret: "s3cret", now: now.addingTimeInterval(901)))
        #expect(!SigV4.verify(request, accessKeyID: "tidemark", secret: "s3cret", now: now))
    }
}
