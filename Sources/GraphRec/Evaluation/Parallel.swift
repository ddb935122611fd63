import Dispatch

/// Runs `body(worker)` for workers 0..<count on the machine's cores
/// (inline when count is 1). Workers split a job by striding over blocks and
/// write their results at disjoint indices of a `SharedBuffer`.
public enum ParallelBlocks {
    public static func run(workers count: Int, _ body: @Sendable (Int) -> Void) {
        if count <= 1 { body(0); return }
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }

    /// The default worker count: the machine's active processors.
    public static var defaultWorkers: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 64)) }
}

/// A pointer into storage that outlives a `Parallel.run`, written by workers
/// at disjoint indices only.
struct SharedBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { base = buffer.baseAddress! }
    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

import Foundation
