/// A SageMaker API operation and its input shape (generated in SageMakerOperations).
public struct SageMakerOperation: Sendable {
    /// The operation's name on the wire (`X-Amz-Target: SageMaker.<name>`).
    public let name: String
    public let input: ObjectShape

    public init(name: String, input: ObjectShape) {
        self.name = name
        self.input = input
    }
}
