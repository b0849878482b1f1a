#define _GNU_SOURCE
#include "CSystem.h"
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

_Static_assert(EPOLLIN == 0x001 && EPOLLOUT == 0x004 && EPOLLERR == 0x008 && EPOLLHUP == 0x010, "epoll flags");
_Static_assert(EPOLLRDHUP == 0x2000 && EPOLLEXCLUSIVE == (1u << 28) && EPOLLET == (1u << 31), "epoll flags");
_Static_assert(EPOLL_CTL_ADD == 1 && EPOLL_CTL_DEL == 2 && EPOLL_CTL_MOD == 3, "epoll operations");

int tuition_epoll_create1(int flags) { return epoll_create1(flags); }

int tuition_epoll_ctl(int epoll_fd, int operation, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    event.events = events;
    event.data.u64 = data;
    return epoll_ctl(epoll_fd, operation, fd, &event);
}

size_t tuition_epoll_event_size(void) { return sizeof(struct epoll_event); }

int tuition_epoll_wait(int epoll_fd, void *events, int max_events, int timeout_ms) {
    return epoll_wait(epoll_fd, (struct epoll_event *)events, max_events, timeout_ms);
}

void tuition_epoll_event_get(const void *events, int index, uint32_t *flags, uint64_t *data) {
    const struct epoll_event *event = (const struct epoll_event *)events + index;
    *flags = event->events;
    *data = event->data.u64;
}

int tuition_eventfd(unsigned int initial_value, int flags) { return eventfd(initial_value, flags); }

int tuition_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int tuition_set_thread_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = '\0';
    return pthread_setname_np(pthread_self(), truncated);
}
