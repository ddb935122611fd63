import Foundation
import Dispatch

/// How recsh's own kernels (sparse products, row scatters) use the cores.
///
/// Work is split into at most `threads` contiguous chunks and run with
/// `DispatchQueue.concurrentPerform`; below `minimumWork` scalar operations a
/// kernel runs on the calling thread, since waking a second thread costs
/// more than it saves. Chunk boundaries depend only on the sizes, so results
/// are identical from run to run. BLAS has its own setting (`BLAS.setThreads`).
public enum Parallel {
    /// Upper bound on the chunks a kernel is split into. Set it once, at
    /// configuration time (the shell's `set threads=`, a benchmark), not while
    /// kernels run.
    nonisolated(unsafe) public static var threads: Int = 2

    /// A count for one piece of work (tests comparing one chunk with two),
    /// set by `withThreads`: task-local, so concurrent callers never see each
    /// other's and `threads` is never changed under running kernels.
    @TaskLocal static var scopedThreads: Int?

    /// Runs `body` with kernels split into at most `n` chunks.
    public static func withThreads<R>(_ n: Int, _ body: () throws -> R) rethrows -> R {
        try $scopedThreads.withValue(max(1, n), operation: body)
    }

    /// The chunk count kernels use now.
    static var currentThreads: Int { scopedThreads ?? threads }

    /// Runs `body(worker)` for workers 0..<count on the machine's cores
    /// (inline when count is 1). Workers split a job by striding over blocks
    /// and write their results at disjoint indices.
    public static func run(workers count: Int, _ body: @Sendable (Int) -> Void) {
        if count <= 1 { body(0); return }
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }

    /// The default worker count for `run`: the machine's active processors.
    public static var defaultWorkers: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 64)) }

    /// Work (scalar multiply-adds) below which kernels stay on one thread.
    public static let minimumWork = 1 << 16

    /// Splits `0..<count` into contiguous ranges of roughly equal `weight`
    /// and runs `body` on each, concurrently when `work` is large enough.
    /// `boundary(k)` returns the cumulative weight before item k (for a CSR,
    /// `rowStart[k]`); pass nil to split by item count.
    public static func forEachChunk(count: Int, work: Int,
                                    cumulativeWeight: ((Int) -> Int)? = nil,
                                    _ body: (Range<Int>) -> Void) {
        let chunks = min(max(currentThreads, 1), count)
        if chunks <= 1 || work < minimumWork {
            if count > 0 { body(0..<count) }
            return
        }
        var bounds = [0]
        if let weight = cumulativeWeight {
            let total = weight(count)
            var k = 0
            for c in 1..<chunks {
                let target = total * c / chunks
                while k < count && weight(k) < target { k += 1 }
                bounds.append(k)
            }
        } else {
            for c in 1..<chunks { bounds.append(count * c / chunks) }
        }
        bounds.append(count)
        let fixed = bounds
        // Chunks touch disjoint rows (the kernels' contract), so handing the
        // non-Sendable body to concurrentPerform is safe; it cannot escape.
        withoutActuallyEscaping(body) { escaping in
            let shared = UncheckedSendable(escaping)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let range = fixed[c]..<fixed[c + 1]
                if !range.isEmpty { shared.value(range) }
            }
        }
    }
}

/// A raw pointer that may cross into `concurrentPerform` chunks; each chunk
/// writes a disjoint part, which is what makes this safe.
@usableFromInline
struct SharedPointer<T>: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<T>
    @usableFromInline init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// Wraps a value the compiler cannot prove Sendable; see `forEachChunk`.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
