import Foundation
import TidemarkCore

public enum Timestamp {
    /// `2026-11-22T15:01:02.123Z`
    public static func iso8601(_ date: Date) -> String {
        let ms = AuditEntry.milliseconds(date)
        let seconds = Double(ms / 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: seconds))
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let millis = Int(((ms % 1000) + 1000) % 1000)
        let m = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(c.year ?? 1970)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second)).\(m)Z"
    }

    /// Parses the form above, or a date `2026-11-22`, or a duration back from now (`1h`, `30m`, `7d`).
    public static func parse(_ text: String, now: Date) -> Date? {
        if let d = DurationText.seconds(text) { return now.addingTimeInterval(-d) }
        let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits.count >= 3 else { return nil }
        var c = DateComponents()
        c.year = digits[0]; c.month = digits[1]; c.day = digits[2]
        c.hour = digits.count > 3 ? digits[3] : 0
        c.minute = digits.count > 4 ? digits[4] : 0
        c.second = digits.count > 5 ? digits[5] : 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar.date(from: c)
    }
}
