import Foundation

/// The process's CPU clock, for benchmarks: on a machine shared with other
/// work, CPU time (with one thread) stays close to what the work costs on an
/// idle core while wall time inflates with the load.
public enum ProcessClock {
    /// CPU seconds this process has used so far (user + system, all threads).
    public static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
