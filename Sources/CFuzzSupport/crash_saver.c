#include "CFuzzSupport.h"
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static char saver_path[4096];
static const uint8_t *volatile current_data;
static volatile size_t current_size;

static void save_and_die(int sig) {
    int fd = open(saver_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        size_t done = 0;
        while (done < current_size) {
            ssize_t n = write(fd, current_data + done, current_size - done);
            if (n <= 0) break;
            done += (size_t)n;
        }
        close(fd);
    }
    static const char note[] = "recsh-fuzz: crash; the input is saved (see the path printed at start)\n";
    (void)!write(2, note, sizeof note - 1);
    signal(sig, SIG_DFL);
    raise(sig);
}

void recsh_fuzz_install_crash_saver(const char *path) {
    strncpy(saver_path, path, sizeof saver_path - 1);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = save_and_die;
    sigemptyset(&action.sa_mask);
    int signals[] = {SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaction(signals[i], &action, NULL);
}

void recsh_fuzz_set_current_input(const uint8_t *data, size_t size) {
    current_size = 0;
    current_data = data;
    current_size = size;
}
