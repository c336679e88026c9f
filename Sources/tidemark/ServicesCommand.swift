import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine
import TidemarkServices
import TidemarkStore

/// Out-of-band acts on the local services, as a person with console access would do them:
/// how drift and failures are tried for real.
struct ServicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "services",
        abstract: "Act on the local service modules out of band (describe, change, delete, approve, inject failures).",
        discussion: "Targets are KIND/NAME: the live name (fraud-xgb-d4b4d94c, fraud-models/1) or the manifest name Tidemark manages.",
        subcommands: [ServicesServeCommand.self, List.self, Describe.self, Set.self, Delete.self, Approve.self, Reject.self, Fail.self, Stall.self, Alarm.self, Clear.self])

    struct Target: ParsableArguments {
        @Argument(help: "KIND/NAME") var target: String
        @OptionGroup var state: StateOptions

        /// The live name: the name itself if an object has it, else the managed object's.
        func resolve(_ services: LocalServices, mustExist: Bool = true) async throws -> (ResourceKind, String) {
            guard let id = ResourceID(parsing: target) else {
                throw CommandFailure("error: '\(target)' is not KIND/NAME (kinds: \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if try await services.describe(id.kind, id.name) != nil { return (id.kind, id.name) }
            if let entry = try await state.openStore(role: "services").inventory()[id] { return (id.kind, entry.physicalName) }
            if mustExist { throw CommandFailure("error: no \(id.kind.rawValue) named '\(id.name)' in the local services") }
            return (id.kind, id.name)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List live objects, of one kind or all.")
        @Argument(help: "A kind (optional).") var kind: String?
        @OptionGroup var state: StateOptions

        func run() async throws {
            let services = try state.openServices()
            let kinds = try kind.map { k in
                guard let kind = ResourceKind(rawValue: k) else { throw CommandFailure("error: unknown kind '\(k)'") }
                return [kind]
            } ?? ResourceKind.allCases
            var rows: [[String]] = []
            for k in kinds {
                for o in try await services.list(k) {
                    rows.append(["\(k.rawValue)/\(o.name)", o.status ?? "-", o.phase.rawValue, o.failureReason ?? ""])
                }
            }
            Terminal.write(rows.isEmpty ? "no live objects\n" : Table.render(["OBJECT", "STATUS", "PHASE", "FAILURE"], rows))
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a live object as the service reports it (JSON).")
        @OptionGroup var target: Target

        func run() async throws {
            let services = try target.state.openServices()
            let (kind, name) = try await target.resolve(services)
            guard let o = try await services.describe(kind, name) else { throw CommandFailure("error: \(kind.rawValue)/\(name) does not exist") }
            Terminal.write(Value.object(sorting: [
                .init("kind", .string(kind.rawValue)), .init("name", .string(o.name)), .init("arn", .string(o.arn)),
                .init("status", o.status.map(Value.string) ?? .null), .init("phase", .string(o.phase.rawValue)),
                .init("failureReason", o.failureReason.map(Value.string) ?? .null), .init("spec", o.spec),
                .init("observed", o.observed), .init("createdAt", .string(Timestamp.iso8601(o.createdAt))),
                .init("modifiedAt", .string(Timestamp.iso8601(o.modifiedAt))),
            ]).prettyJSON + "\n")
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change one field of a live object, bypassing every rule (drift).",
                                                        discussion: "FIELD=VALUE, e.g. productionVariants[primary].initialInstanceCount=6; VALUE is read as YAML (6 is a number, \"6\" a string).")
        @OptionGroup var target: Target
        @Argument(help: "FIELD=VALUE") var assignment: String

        func run() async throws {
            let services = try target.state.openServices()
            let (kind, name) = try await target.resolve(services)
            guard let eq = assignment.firstIndex(of: "=") else { throw CommandFailure("error: expected FIELD=VALUE, found '\(assignment)'") }
            let field = String(assignment[..<eq])
            let text = String(assignment[assignment.index(after: eq)...])
            let value = Value(json: text) ?? .string(text)
            do { try services.setField(kind, name, path: field, value: value) } catch { throw CommandFailure("error: \(error)") }
            Terminal.write("\(kind.rawValue)/\(name): \(field) = \(value.inline)\n")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a live object, as through the console.")
        @OptionGroup var target: Target

        func run() async throws {
            let services = try target.state.openServices()
            let (kind, name) = try await target.resolve(services)
            do { try await services.delete(kind, name) } catch { throw CommandFailure("error: \(error)") }
            Terminal.write("\(kind.rawValue)/\(name): delete requested\n")
        }
    }

    static func approval(_ target: Target, _ status: String) async throws {
        let services = try target.state.openServices()
        let (kind, name) = try await target.resolve(services)
        guard kind == .modelPackage else { throw CommandFailure("error: only a ModelPackage has an approval status") }
        do { try services.setField(kind, name, path: "modelApprovalStatus", value: .string(status)) } catch { throw CommandFailure("error: \(error)") }
        Terminal.write("ModelPackage/\(name): modelApprovalStatus = \(status)\n")
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a model package version.")
        @OptionGroup var target: Target
        func run() async throws { try await ServicesCommand.approval(target, "Approved") }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a model package version.")
        @OptionGroup var target: Target
        func run() async throws { try await ServicesCommand.approval(target, "Rejected") }
    }

    static func inject(_ target: Target, _ fault: LocalServices.Fault, detail: String, what: String) async throws {
        let services = try target.state.openServices()
        let (kind, name) = try await target.resolve(services, mustExist: false)
        try services.inject(fault, kind, name, detail: detail)
        Terminal.write("\(kind.rawValue)/\(name): \(what)\n")
    }

    struct Fail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make the next create or update of an object fail (the name may not exist yet).")
        @OptionGroup var target: Target
        @Option(help: "The failure reason the service reports.") var message = ""
        @Option(help: "For a call that fails at once (kinds without a status): the error code, e.g. ValidationException (default InternalFailure, which API clients retry).") var code: String?
        func run() async throws {
            var detail = message
            if let code {
                guard ServiceError.Code(rawValue: code) != nil else {
                    throw CommandFailure("error: --code '\(code)' is not one of \(ServiceError.Code.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                detail = "\(code): \(message)"
            }
            try await ServicesCommand.inject(target, .fail, detail: detail, what: "the next operation will fail")
        }
    }

    struct Stall: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keep an object in its transitional status on its next operation.")
        @OptionGroup var target: Target
        func run() async throws { try await ServicesCommand.inject(target, .stall, detail: "", what: "the next operation will stall") }
    }

    struct Alarm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Trip an alarm during the endpoint's next deployment, which then rolls back.")
        @OptionGroup var target: Target
        @Option(help: "The alarm's name (default: the endpoint's first rollback alarm).") var alarm = ""
        func run() async throws { try await ServicesCommand.inject(target, .alarm, detail: alarm, what: "an alarm will trip during the next deployment") }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove armed faults and end a stall.")
        @OptionGroup var target: Target
        func run() async throws {
            let services = try target.state.openServices()
            let (kind, name) = try await target.resolve(services, mustExist: false)
            try services.clear(kind, name)
            Terminal.write("\(kind.rawValue)/\(name): faults cleared\n")
        }
    }
}
