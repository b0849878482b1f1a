#ifndef TUITION_CSYSTEM_H
#define TUITION_CSYSTEM_H

#include <sys/types.h>

/// Starts `path` with `argv` (NULL-terminated) and `envp`, in working directory `directory`,
/// with standard input from /dev/null and standard output and error to `output_fd`.
/// Every other descriptor is closed in the child, so servers it starts (PostgreSQL) never
/// inherit our sockets or files. Returns the child's pid, or -errno.
pid_t tuition_spawn(const char *path, char *const argv[], char *const envp[], const char *directory, int output_fd);

#endif
