#ifndef TUITION_CSYSTEM_H
#define TUITION_CSYSTEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/// Starts `path` with `argv` (NULL-terminated) and `envp`, in working directory `directory`,
/// with standard input from /dev/null and standard output and error to `output_fd`.
/// Every other descriptor is closed in the child, so servers it starts (PostgreSQL) never
/// inherit our sockets or files. Returns the child's pid, or -errno.
pid_t tuition_spawn(const char *path, char *const argv[], char *const envp[], const char *directory, int output_fd);

// Linux calls that Swift's Glibc module does not import (<sys/epoll.h>, <sys/eventfd.h> and the GNU
// extensions accept4 and pthread_setname_np). Thin wrappers: same arguments, same return values, errno set
// by the wrapped call.

/// Event flags of <sys/epoll.h>; linux.c checks them against the system header at compile time.
static const uint32_t TUITION_EPOLLIN = 0x001;
static const uint32_t TUITION_EPOLLOUT = 0x004;
static const uint32_t TUITION_EPOLLERR = 0x008;
static const uint32_t TUITION_EPOLLHUP = 0x010;
static const uint32_t TUITION_EPOLLRDHUP = 0x2000;
static const uint32_t TUITION_EPOLLEXCLUSIVE = 1u << 28;
static const uint32_t TUITION_EPOLLET = 1u << 31;
static const int TUITION_EPOLL_CTL_ADD = 1;
static const int TUITION_EPOLL_CTL_DEL = 2;
static const int TUITION_EPOLL_CTL_MOD = 3;

int tuition_epoll_create1(int flags);
/// epoll_ctl with the event's flags and its 64-bit data word passed by value.
int tuition_epoll_ctl(int epoll_fd, int operation, int fd, uint32_t events, uint64_t data);
/// Bytes of one `struct epoll_event` (12 on x86_64, where the kernel ABI packs it; 16 elsewhere).
size_t tuition_epoll_event_size(void);
/// epoll_wait into `events`, an array of `max_events` entries of `tuition_epoll_event_size()` bytes.
int tuition_epoll_wait(int epoll_fd, void *events, int max_events, int timeout_ms);
/// Reads entry `index` of an array filled by `tuition_epoll_wait`.
void tuition_epoll_event_get(const void *events, int index, uint32_t *flags, uint64_t *data);

int tuition_eventfd(unsigned int initial_value, int flags);
int tuition_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
/// Names the calling thread (at most 15 bytes are kept). Returns 0 or an error number.
int tuition_set_thread_name(const char *name);

#endif
