/// Large values a one-shot command keeps until the process exits: freeing a 10,000-resource
/// index node by node costs about a tenth of a cold plan, and the operating system reclaims
/// the memory at exit anyway (what compilers do with `-disable-free`). Never used by `serve`.
enum ProcessLifetime {
    private final class Box {
        let value: Any
        init(_ value: Any) { self.value = value }
    }

    static func keep(_ values: Any...) {
        for value in values { _ = Unmanaged.passRetained(Box(value)) }
    }
}
