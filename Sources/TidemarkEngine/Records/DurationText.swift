import Foundation
import TidemarkCore

/// Durations written as `30s`, `5m`, `2h`, `1d`, `1500ms`.
public enum DurationText {
    /// The longest duration accepted: ten years. Longer ones, and anything not finite, are
    /// not durations, so no caller converts an unbounded number.
    public static let maximum: Double = 315_360_000

    public static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if let v = Double(number), v >= 0, !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }) {
                let seconds = v * factor
                return seconds.isFinite && seconds <= maximum ? seconds : nil
            }
        }
        return nil
    }
}
