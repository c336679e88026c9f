#if canImport(CMalloc) && os(Linux)
import CMalloc
#endif
import ServiceLifecycle

/// Keeps a long-running `serve` from holding memory it has freed. glibc gives each busy thread
/// its own arena and keeps freed pages in them: after the first sync of 10,000 resources a
/// replica sat at 175 MB of which most was free. Two arenas and a trim every few seconds hand
/// that back to the system (what `MALLOC_ARENA_MAX` and `malloc_trim` are for).
struct HeapTrim: Service {
    let interval: Double

    /// Before the work starts: at most two arenas.
    static func limitArenas() {
        #if os(Linux)
        _ = mallopt(M_ARENA_MAX, 2)
        #endif
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000)) } catch { return }
                #if os(Linux)
                _ = malloc_trim(0)
                #endif
            }
        }
    }
}
