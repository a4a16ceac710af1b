// Accessors for ncurses macros and globals that Swift cannot import, or that Swift 6 rejects as shared state.
#ifndef LOKET_CNCURSES_SHIM_H
#define LOKET_CNCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#include <ncurses.h>
#include <term.h>
#include <locale.h>

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

#endif
