// Accessors for ncurses macros and globals that Swift cannot import, or that Swift 6 rejects as shared state.
#ifndef LOKET_CNCURSES_SHIM_H
#define LOKET_CNCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#include <ncurses.h>
#include <term.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <langinfo.h>
#include <string.h>

static inline WINDOW *loket_stdscr(void) { return stdscr; }
static inline int loket_lines(void) { return LINES; }
static inline int loket_cols(void) { return COLS; }
static inline int loket_colors(void) { return COLORS; }
static inline attr_t loket_a_bold(void) { return A_BOLD; }
static inline attr_t loket_a_reverse(void) { return A_REVERSE; }
static inline attr_t loket_a_underline(void) { return A_UNDERLINE; }
static inline attr_t loket_a_dim(void) { return A_DIM; }
static inline int loket_key_f(int n) { return KEY_F(n); }

/// Whether the terminal type named by `term` can address the cursor; 0 when unknown or too limited (dumb).
static inline int loket_terminal_can_address_cursor(const char *term) {
    int error = 0;
    if (setupterm(term, 1, &error) != OK) { return 0; }
    const char *cup = tigetstr("cup");
    int usable = cup != NULL && cup != (char *)-1;
    del_curterm(cur_term);
    return usable;
}

/// newterm on the process's own stdin and stdout (globals Swift 6 will not touch); NULL for an unknown TERM.
static inline SCREEN *loket_newterm(const char *term) { return newterm(term, stdout, stdin); }

/// Sets the style for following output in one call, so Swift never handles attr_t bit layouts.
static inline void loket_set_style(int bold, int reverse, int underline, int dim, short pair) {
    attr_t attributes = A_NORMAL;
    if (bold) attributes |= A_BOLD;
    if (reverse) attributes |= A_REVERSE;
    if (underline) attributes |= A_UNDERLINE;
    if (dim) attributes |= A_DIM;
    attr_set(attributes, pair, NULL);
}

/// Restores the terminal, then lets the signal do what it would have done (end the process, dump core).
static void loket_restore_and_reraise(int signal_number) {
    endwin();
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

/// The terminating signal (SIGTERM, SIGHUP, SIGINT) the screen was asked to stop for; 0 when none. Only this
/// header's handler writes it and only the screen's thread reads it.
static volatile sig_atomic_t loket_stop_signal = 0;

/// The first terminating signal asks the screen loop to stop, so the shift's report is saved before the
/// process ends; a second one, if the loop does not get there, restores the terminal and ends at once.
static void loket_request_stop(int signal_number) {
    if (loket_stop_signal != 0) {
        loket_restore_and_reraise(signal_number);
        return;
    }
    loket_stop_signal = signal_number;
}

static inline int loket_pending_stop_signal(void) { return loket_stop_signal; }

/// Ends the process by `signal_number` with its default action, after the terminal was restored.
static inline void loket_reraise_default(int signal_number) {
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

static inline void loket_set_handler(int signal_number, void (*handler)(int)) {
    struct sigaction action;
    sigemptyset(&action.sa_mask);
    // No SA_RESTART: a stop request interrupts the wait for a key, so the loop sees it at once.
    action.sa_flags = 0;
    action.sa_handler = handler;
    sigaction(signal_number, &action, NULL);
}

/// SIGTERM, SIGHUP and SIGINT stop the screen cleanly (report saved); every other signal whose default action
/// ends the process restores the terminal first. Signals already ignored (nohup) stay ignored.
static inline void loket_install_signal_handlers(void) {
    // A parent may have blocked signals (test runners, some supervisors); resize and Ctrl-C must get through.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int stopping[] = {SIGTERM, SIGHUP, SIGINT};
    int fatal[] = {
        SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM,
        SIGPROF, SIGXCPU, SIGXFSZ, SIGPIPE,
#ifdef SIGSTKFLT
        SIGSTKFLT,
#endif
#ifdef SIGPWR
        SIGPWR,
#endif
#ifdef SIGPOLL
        SIGPOLL,
#endif
    };
    for (unsigned i = 0; i < sizeof stopping / sizeof stopping[0]; i++) {
        struct sigaction current;
        if (sigaction(stopping[i], NULL, &current) == 0 && current.sa_handler == SIG_IGN) continue;
        loket_set_handler(stopping[i], loket_request_stop);
    }
    for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        struct sigaction current;
        if (sigaction(fatal[i], NULL, &current) == 0 && current.sa_handler == SIG_IGN) continue;
        loket_set_handler(fatal[i], loket_restore_and_reraise);
    }
#ifdef SIGRTMIN
    for (int number = SIGRTMIN; number <= SIGRTMAX; number++) {
        struct sigaction current;
        if (sigaction(number, NULL, &current) == 0 && current.sa_handler == SIG_IGN) continue;
        loket_set_handler(number, loket_restore_and_reraise);
    }
#endif
}

/// Puts the handlers of loket_install_signal_handlers back to the defaults once the screen is closed.
static inline void loket_uninstall_signal_handlers(void) {
    int all[] = {
        SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGUSR1, SIGUSR2,
        SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGPIPE,
#ifdef SIGSTKFLT
        SIGSTKFLT,
#endif
#ifdef SIGPWR
        SIGPWR,
#endif
#ifdef SIGPOLL
        SIGPOLL,
#endif
    };
    for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++) {
        struct sigaction current;
        if (sigaction(all[i], NULL, &current) == 0 && current.sa_handler == SIG_IGN) continue;
        signal(all[i], SIG_DFL);
    }
#ifdef SIGRTMIN
    for (int number = SIGRTMIN; number <= SIGRTMAX; number++) {
        struct sigaction current;
        if (sigaction(number, NULL, &current) == 0 && current.sa_handler == SIG_IGN) continue;
        signal(number, SIG_DFL);
    }
#endif
}

/// Whether the current character type encodes text as UTF-8.
static inline int loket_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

/// Takes the environment's locale; when its character type is not UTF-8 (LANG=C, POSIX, Latin-1), switches the
/// character type alone to a UTF-8 one that exists. 0 when there is none: the screen cannot read or draw text.
static inline int loket_use_utf8_locale(void) {
    setlocale(LC_ALL, "");
    if (loket_locale_is_utf8()) return 1;
    const char *fallbacks[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8"};
    for (unsigned i = 0; i < sizeof fallbacks / sizeof fallbacks[0]; i++) {
        if (setlocale(LC_CTYPE, fallbacks[i]) != NULL && loket_locale_is_utf8()) return 1;
    }
    return 0;
}

static inline int loket_color_pairs(void) { return COLOR_PAIRS; }

#endif
