#if canImport(CMalloc)
import CMalloc
#endif
import ServiceLifecycle

/// Keeps a long-running `serve` from holding memory it has freed. Both executables allocate
/// with mimalloc (see `CMalloc`), which by default keeps a freed page a while before handing
/// it back, so that a burst of allocation reuses it: right for a command that exits, but
/// after the first sync of 10,000 resources a replica would sit on 15 MB it no longer uses.
/// `serve` hands pages back at once, and every few seconds collects what threads left behind.
struct HeapTrim: Service {
    let interval: Double

    /// Before the work starts: freed pages go back to the system at once.
    static func returnFreedPagesPromptly() {
        #if canImport(CMalloc)
        mi_option_set(mi_option_decommit_delay, 0)
        #endif
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000)) } catch { return }
                #if canImport(CMalloc)
                mi_collect(true)
                #endif
            }
        }
    }
}
