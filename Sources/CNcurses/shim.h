// Accessors for ncurses macros and globals that Swift cannot import, or that Swift 6 rejects as shared state.
#ifndef LOKET_CNCURSES_SHIM_H
#define LOKET_CNCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#include <ncurses.h>
#include <term.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>

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

/// On SIGTERM, SIGHUP, SIGINT, SIGQUIT and crash signals the terminal is restored before the process ends.
static inline void loket_install_signal_handlers(void) {
    // A parent may have blocked signals (test runners, some supervisors); resize and Ctrl-C must get through.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int signals[] = {SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        signal(signals[i], loket_restore_and_reraise);
    }
}

static inline int loket_color_pairs(void) { return COLOR_PAIRS; }

#endif
