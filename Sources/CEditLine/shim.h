#ifndef RECSH_CEDITLINE_SHIM_H
#define RECSH_CEDITLINE_SHIM_H
// libedit's native histedit API. el_set, el_get and history are C variadics,
// which Swift cannot call, so each use gets a typed static inline wrapper
// here. The Ctrl-C flag and its signal handler live here too: a signal
// handler must be C (async-signal-safe, sig_atomic_t only).
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <locale.h>
#include <unistd.h>
#include <histedit.h>

// MARK: editor set-up

/// el_init on the process's stdin/stdout/stderr (Swift 6 cannot touch those C globals).
static inline EditLine *recsh_el_init(const char *program) {
    return el_init(program, stdin, stdout, stderr);
}

/// Editor bindings: emacs keys, like bash's default.
static inline int recsh_el_set_editor_emacs(EditLine *el) {
    return el_set(el, EL_EDITOR, "emacs");
}

/// The prompt: libedit calls a function for it; it returns a copy kept here.
static char recsh_prompt_text[256] = "> ";
static inline char *recsh_prompt_function(EditLine *el) {
    (void)el;
    return recsh_prompt_text;
}
static inline void recsh_set_prompt_text(const char *text) {
    strncpy(recsh_prompt_text, text, sizeof(recsh_prompt_text) - 1);
    recsh_prompt_text[sizeof(recsh_prompt_text) - 1] = '\0';
}
static inline int recsh_el_set_prompt(EditLine *el) {
    return el_set(el, EL_PROMPT, recsh_prompt_function);
}

static inline int recsh_el_set_history(EditLine *el, History *h) {
    return el_set(el, EL_HIST, history, h);
}

/// EL_SIGNAL: libedit restores the terminal when a signal arrives mid-edit.
static inline int recsh_el_set_signal(EditLine *el, int on) {
    return el_set(el, EL_SIGNAL, on);
}

/// Edit-mode tty flags: "-isig" makes Ctrl-C a key the editor can bind
/// while the prompt is up, instead of a SIGINT. Commands still run with
/// the normal (isig) settings, so Ctrl-C during a command is a signal.
static inline int recsh_el_set_tty_edit_noisig(EditLine *el) {
    return el_set(el, EL_SETTY, "-d", "-isig", (const char *)NULL);
}

static inline int recsh_el_set_clientdata(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}
static inline void *recsh_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}

typedef unsigned char (*recsh_el_function)(EditLine *, int);

/// Registers a named editor function (EL_ADDFN) and binds it to a key (EL_BIND).
static inline int recsh_el_add_function(EditLine *el, const char *name, const char *help,
                                        recsh_el_function fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}
static inline int recsh_el_bind(EditLine *el, const char *key, const char *name) {
    return el_set(el, EL_BIND, key, name, (const char *)NULL);
}

/// Reads ~/.editrc (or $EDITRC) so users keep their own bindings.
static inline int recsh_el_source_default(EditLine *el) {
    return el_source(el, NULL);
}

// MARK: history

static inline int recsh_history_setsize(History *h, int size) {
    HistEvent ev;
    return history(h, &ev, H_SETSIZE, size);
}
static inline int recsh_history_setunique(History *h, int unique) {
    HistEvent ev;
    return history(h, &ev, H_SETUNIQUE, unique);
}
static inline int recsh_history_enter(History *h, const char *line) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, line);
}
static inline int recsh_history_load(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_LOAD, path);
}
static inline int recsh_history_save(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_SAVE, path);
}

// MARK: Ctrl-C while a command runs

/// Set by the SIGINT handler, read by RunControl.shouldStop, cleared by the
/// shell before each command.
static volatile sig_atomic_t recsh_interrupt_flag = 0;

static inline void recsh_sigint_handler(int signo) {
    (void)signo;
    recsh_interrupt_flag = 1;
}

/// Installs the SIGINT handler with sigaction and without SA_RESTART, so a
/// blocking read returns EINTR instead of hiding the interrupt.
static inline int recsh_install_sigint_handler(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = recsh_sigint_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    /* A parent may start recsh with SIGINT blocked (the mask is inherited across exec);
       Ctrl-C must still reach the handler. */
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGINT);
    sigprocmask(SIG_UNBLOCK, &unblock, NULL);
    return sigaction(SIGINT, &sa, NULL);
}

static inline int recsh_interrupted(void) { return recsh_interrupt_flag != 0; }
static inline void recsh_clear_interrupt(void) { recsh_interrupt_flag = 0; }
static inline void recsh_raise_interrupt(void) { recsh_interrupt_flag = 1; }

/// setlocale(LC_CTYPE, "") so libedit handles UTF-8 input.
static inline void recsh_set_ctype_locale(void) { setlocale(LC_CTYPE, ""); }

#endif
