import CEditLine

/// Ctrl-C while a command runs: a C SIGINT handler (sigaction, no
/// SA_RESTART) sets a sig_atomic_t flag; long commands poll it through
/// `RunControl.shouldStop`. The shell never dies on Ctrl-C.
public enum Interrupt {
    public static func install() { _ = recsh_install_sigint_handler() }
    public static var isSet: Bool { recsh_interrupted() != 0 }
    public static func clear() { recsh_clear_interrupt() }
    /// For tests: what a Ctrl-C does.
    public static func raise() { recsh_raise_interrupt() }
}
