import Dispatch

/// A task executor with a serial dispatch queue of its own. Such a queue gets a thread even
/// while the cooperative pool's threads (one per core) are all held by a `concurrentPerform`,
/// as they are while a revision decodes: work that should overlap the decoding (reading live
/// state ahead) runs there instead of waiting for it to end.
public final class SerialTaskExecutor: TaskExecutor {
    let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
