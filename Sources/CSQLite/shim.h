#ifndef TALLY_CSQLITE_SHIM_H
#define TALLY_CSQLITE_SHIM_H
#include <sqlite3.h>

// sqlite3_config is variadic, which Swift cannot call. SQLite's memory statistics take one mutex for the
// whole process on every allocation: two connections reading on two threads then spend their time waiting
// on it (3.0 s instead of 1.2 s for the same two slices here). Tally reads no statistics. Only effective
// before SQLite initialises; returns SQLITE_MISUSE after.
static inline int tally_sqlite_disable_memory_statistics(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

#endif
