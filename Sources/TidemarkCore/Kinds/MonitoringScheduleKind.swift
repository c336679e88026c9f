/// MonitoringSchedule (reference §7, §11.7): four monitoring types, an inline job definition
/// (baseline, inputs, outputs, resources, app specification) or a named one, and only the
/// schedule expressions the service accepts.
enum MonitoringScheduleKind {
    static let jobInputs = "monitoringScheduleConfig.monitoringJobDefinition.monitoringInputs"

    static let definition = KindDefinition(
        kind: .monitoringSchedule,
        spec: .spec(from: SageMakerOperations.createMonitoringSchedule.input, nameField: "monitoringScheduleName", [
            .updatable("monitoringScheduleConfig"),
            .summary("monitoringScheduleConfig", "Replaced as a whole by UpdateMonitoringSchedule."),
            .defaultValue("monitoringScheduleConfig.monitoringType", .string("DataQuality")),
            .summary("monitoringScheduleConfig.monitoringJobDefinitionName", "A job definition managed outside Tidemark."),
            .exactlyOneOf("monitoringScheduleConfig", ["monitoringJobDefinition", "monitoringJobDefinitionName"]),
            .exactlyOneOf(jobInputs, ["endpointInput", "batchTransformInput"]),
            .references("\(jobInputs).endpointInput.endpointName", .endpoint, "The monitored Endpoint's metadata.name; it must capture data."),
            .defaultValue("\(jobInputs).endpointInput.s3InputMode", .string("File")),
            .defaultValue("\(jobInputs).endpointInput.s3DataDistributionType", .string("FullyReplicated")),
            .defaultValue("monitoringScheduleConfig.monitoringJobDefinition.monitoringOutputConfig.monitoringOutputs.s3Output.s3UploadMode", .string("EndOfJob")),
        ]),
        nameRule: .hyphenated63,
        nameField: "monitoringScheduleName",
        versionedNames: false,
        replacementIsDestructive: false,
        summary: "A Model Monitor schedule: what to check, on which endpoint, how often.",
        rules: rules,
        updateOperation: SageMakerOperations.updateMonitoringSchedule)

    @Sendable static func rules(_ c: inout RuleContext) {
        guard let config = c.node["monitoringScheduleConfig"], let schedule = config["scheduleConfig"],
              let exprNode = schedule["scheduleExpression"], let expr = exprNode.string else { return }
        let start = schedule["dataAnalysisStartTime"]
        let end = schedule["dataAnalysisEndTime"]
        var hourly = false
        if expr == "NOW" {
            if start == nil || end == nil {
                c.error("missing-field", "a NOW schedule needs dataAnalysisStartTime and dataAnalysisEndTime (offsets such as -PT1H)", at: exprNode)
            }
        } else {
            switch ScheduleExpression.parse(expr) {
            case .success(let every):
                hourly = every == 1
            case .failure(let problem):
                c.error("invalid-schedule", "scheduleExpression '\(expr)' \(problem); use cron(0 * ? * * *) for hourly, cron(0 H ? * * *) for daily, cron(0 H/N ? * * *) for every N hours, or NOW", at: exprNode)
            }
        }
        var offsets: [Int] = []
        for (label, node) in [("dataAnalysisStartTime", start), ("dataAnalysisEndTime", end)] {
            guard let node, let text = node.string else { continue }
            if let seconds = ScheduleExpression.negativeOffsetSeconds(text) {
                offsets.append(seconds)
            } else {
                c.error("invalid-value", "\(label) '\(text)' must be a negative ISO-8601 offset such as -PT1H or -PT30M", at: node)
            }
        }
        if offsets.count == 2 {
            if offsets[0] >= offsets[1] {
                c.error("invalid-value", "dataAnalysisStartTime must be earlier than dataAnalysisEndTime", at: start)
            } else if offsets[1] - offsets[0] > 24 * 3600 {
                c.error("invalid-value", "the analysis window is longer than 24 hours", at: start)
            }
        }
        let type = config["monitoringType"]?.string ?? "DataQuality"
        if hourly, let runtime = config["monitoringJobDefinition"]?["stoppingCondition"]?["maxRuntimeInSeconds"], let r = runtime.int {
            let limit: Int64 = (type == "ModelBias" || type == "ModelQuality") ? 1800 : 3600
            if r > limit {
                c.error("out-of-range", "an hourly \(type) job may run at most \(limit) s, found maxRuntimeInSeconds \(r)", at: runtime)
            }
        }
    }
}

/// The schedule expressions Model Monitor accepts (reference §7.1).
enum ScheduleExpression {
    /// The period in hours of a valid cron expression, or why it is not valid.
    static func parse(_ text: String) -> Result<Int, Problem> {
        guard text.hasPrefix("cron("), text.hasSuffix(")") else { return .failure(Problem("is not a cron(...) expression")) }
        let fields = text.dropFirst(5).dropLast().split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 6 else { return .failure(Problem("must have 6 fields, found \(fields.count)")) }
        guard fields[0] == "0" else { return .failure(Problem("must run on the hour (minute field 0)")) }
        let (dom, month, dow, year) = (fields[2], fields[3], fields[4], fields[5])
        guard month == "*", year == "*", (dom == "?" && dow == "*") || (dom == "*" && dow == "?") else {
            return .failure(Problem("may not restrict days, months or years (use ? * * * or * * ? *)"))
        }
        let hour = fields[1]
        if hour == "*" { return .success(1) }
        let parts = hour.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let h = Int(parts[0]), (0...23).contains(h), parts[0].count <= 2 else {
            return .failure(Problem("has an hour field '\(hour)' that is not 0–23"))
        }
        if parts.count == 1 { return .success(24) }
        guard parts.count == 2, let n = Int(parts[1]), (1...24).contains(n) else {
            return .failure(Problem("has an hour step that is not 1–24"))
        }
        return .success(n)
    }

    struct Problem: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// Seconds of a negative ISO-8601 offset like `-PT1H`, `-PT30M`, `-PT1H30M` (negative).
    static func negativeOffsetSeconds(_ text: String) -> Int? {
        guard text.hasPrefix("-PT"), text.count > 3 else { return nil }
        var total = 0
        var digits = ""
        for ch in text.dropFirst(3) {
            if ch.isASCII, ch.isNumber { digits.append(ch); continue }
            guard let n = Int(digits) else { return nil }
            switch ch {
            case "H": total += n * 3600
            case "M": total += n * 60
            case "S": total += n
            default: return nil
            }
            digits = ""
        }
        guard digits.isEmpty else { return nil }
        return -total
    }
}
