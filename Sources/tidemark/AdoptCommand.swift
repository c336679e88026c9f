import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine

struct AdoptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Move a live object from the application that manages it to this one (--app).",
        discussion: """
            Every live object belongs to one application: a plan that wants an object another \
            application manages is refused, naming the owner. `tidemark adopt Model/fraud-xgb --from \
            churn --app fraud` moves it: churn forgets it and fraud manages it, each with an audit \
            entry; fraud's next sync plans its manifest against the object. Both applications' \
            leases are taken for the move (waiting up to --wait for a controller between passes).
            """)

    @Argument(help: "KIND/NAME: the resource in this application (or the live object's name).") var target: String
    @Option(help: "The application that manages the object now.") var from: String
    @Option(help: "Seconds to wait for each application's lease.") var wait: Double = 30
    @OptionGroup var state: StateOptions

    func run() async throws {
        guard let id = ResourceID(parsing: target) else {
            throw CommandFailure("error: '\(target)' is not KIND/NAME (kinds: \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard Stores.validName(from) else { throw CommandFailure("error: --from '\(from)' is not an application name") }
        let stores = try await state.openStores()
        defer { stores.close() }
        let (store, application) = try await state.openStore(in: stores, role: "adopt")
        let holder = LeaseHolder.current(role: "adopt")
        let ownerStore = try stores.application(from, holder: holder, time: SystemTime(), leaseTTL: Environment.leaseTTL)
        var held: [any StateStore] = []
        let outcome: Result<InventoryEntry, any Error>
        do {
            for (name, s) in [(from, ownerStore), (application, store)] {
                do { try await s.acquireLease(wait: max(0, wait)) } catch let busy as LeaseHeld {
                    throw CommandFailure("error: \(busy.holder) holds the lease of '\(name)' since \(Timestamp.iso8601(busy.since)); try again, or with a longer --wait")
                }
                held.append(s)
            }
            outcome = .success(try await Adoption.move(id, from: from, ownerStore: ownerStore, to: application, store: store,
                                                       actor: ProcessInfo.processInfo.environment["USER"] ?? "cli", time: SystemTime()))
        } catch {
            outcome = .failure(error)
        }
        // The leases go back whatever happened; a release that fails lapses with the TTL.
        for s in held {
            do { try await s.releaseLease() } catch { Terminal.error("note: cannot release a lease (it lapses in \(Int(Environment.leaseTTL)) s): \(error)") }
        }
        switch outcome {
        case .success(let moved):
            Terminal.write("\(application) now manages \(moved.id) (\(moved.id.kind.rawValue) '\(moved.physicalName)'), adopted from \(from); its next sync plans its manifest against it\n")
        case .failure(let refused as Adoption.Refused):
            throw CommandFailure("error: \(refused)")
        case .failure(let error):
            throw error
        }
    }
}
