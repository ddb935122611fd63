import CEditLine

/// Ctrl-C while a command runs: a C SIGINT handler (sigaction, no
/// SA_RESTART) sets a sig_atomic_t flag; long commands poll it through
/// `RunControl.shouldStop`. The shell never dies on Ctrl-C.
///
/// The flag is a `static` in a header, so every Swift module that inlined
/// these calls would get its own copy; `@inline(never)` keeps every access
/// inside RecShell, the one module that imports the shim.
public enum Interrupt {
    @inline(never) public static func install() { _ = recsh_install_sigint_handler() }
    public static var isSet: Bool { check() }
    @inline(never) static func check() -> Bool { recsh_interrupted() != 0 }
    @inline(never) public static func clear() { recsh_clear_interrupt() }
    /// For tests: what a Ctrl-C does.
    @inline(never) public static func raise() { recsh_raise_interrupt() }
}
