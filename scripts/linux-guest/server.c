// The Linux guest's HTTP server, for soaking a stock Linux kernel under the same
// contract as the bundled unikernel: GET /health -> 200, GET /api/stats.json -> a flat
// JSON object of numbers; HTTP/1.1 keep-alive and pipelining; one epoll loop.
// It listens on port 80 and on 8000-8255 (see "Ports" in ARCHITECTURE.md: every
// forwarded host port needs a guest port of its own).
// With `soak_crash=KIND soak_crash_after=N` on the kernel command line it makes the
// kernel crash after N requests: panic (sysrq c) or oops/warn/gpf (crashme.ko). With
// `soak_slow_ns=N` it spins N ns on every request, as the bundled kernel's slow_request_ns=
// does: compare's gate proven on a kernel this project did not write.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EXTRA_PORT_FIRST 8000
#define EXTRA_PORT_COUNT 256
#define IN_MAX 16384
#define OUT_MAX 65536
#define MAX_EVENTS 256

struct conn {
  int fd;
  size_t in_len, out_len, out_off;
  char in[IN_MAX];
  char out[OUT_MAX];
};

static uint64_t requests, boot_id, crash_after, slow_ns;
static int tcp_open;
static char crash_kind[16];

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// A number from the kernel's boot UUID: the JSON holds numbers only (53 bits stay exact).
static uint64_t read_boot_id(void) {
  char buf[64] = {0};
  FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
  if (!f) return 0;
  if (!fgets(buf, sizeof buf, f)) buf[0] = 0;
  fclose(f);
  uint64_t id = 0;
  int digits = 0;
  for (char *p = buf; *p && digits < 13; p++) {
    int v = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
    if (v < 0) continue;
    id = id << 4 | (uint64_t)v;
    digits++;
  }
  return id;
}

static void read_cmdline(void) {
  char buf[4096] = {0};
  FILE *f = fopen("/proc/cmdline", "r");
  if (!f) return;
  if (!fgets(buf, sizeof buf, f)) buf[0] = 0;
  fclose(f);
  for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n")) {
    if (!strncmp(tok, "soak_crash=", 11)) snprintf(crash_kind, sizeof crash_kind, "%s", tok + 11);
    if (!strncmp(tok, "soak_crash_after=", 17)) crash_after = strtoull(tok + 17, NULL, 10);
    if (!strncmp(tok, "soak_slow_ns=", 13)) slow_ns = strtoull(tok + 13, NULL, 10);
  }
}

// Pages of 4 KiB from /proc/meminfo's kB figures: total, and total minus available.
static void mem_pages(uint64_t *used, uint64_t *total) {
  char line[128];
  uint64_t mem_total = 0, mem_avail = 0, kb;
  FILE *f = fopen("/proc/meminfo", "r");
  *used = *total = 0;
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "MemTotal: %lu kB", &kb) == 1) mem_total = kb;
    if (sscanf(line, "MemAvailable: %lu kB", &kb) == 1) mem_avail = kb;
  }
  fclose(f);
  *total = mem_total / 4;
  *used = (mem_total - mem_avail) / 4;
}

static void crash_now(void) {
  fprintf(stderr, "soak-guest: crashing on request (%s) after %lu requests\n", crash_kind, (unsigned long)requests);
  if (!strcmp(crash_kind, "panic")) {
    int fd = open("/proc/sysrq-trigger", O_WRONLY);
    if (fd >= 0 && write(fd, "c", 1) < 0) perror("sysrq-trigger");
    return;
  }
  // oops, warn, gpf: crashme.ko does it in its init, in a child so the server lives on
  if (fork() == 0) {
    char arg[32];
    snprintf(arg, sizeof arg, "kind=%s", crash_kind);
    execl("/bin/busybox", "insmod", "/lib/crashme.ko", arg, (char *)NULL);
    _exit(127);
  }
}

static void respond(struct conn *c, const char *status, const char *type, const char *body) {
  size_t room = OUT_MAX - c->out_len;
  int n = snprintf(c->out + c->out_len, room,
                   "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: keep-alive\r\n\r\n%s",
                   status, type, strlen(body), body);
  if (n > 0 && (size_t)n < room) c->out_len += (size_t)n;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static void handle_request(struct conn *c, const char *req) {
  char body[512];
  requests++;
  if (slow_ns)
    for (uint64_t until = now_ns() + slow_ns; now_ns() < until;)
      ;
  if (!strncmp(req, "GET /health ", 12)) {
    respond(c, "200 OK", "text/plain", "ok\n");
  } else if (!strncmp(req, "GET /api/stats.json ", 20)) {
    uint64_t used, total;
    mem_pages(&used, &total);
    snprintf(body, sizeof body,
             "{\"boot_id\":%lu,\"uptime_ms\":%lu,\"requests\":%lu,\"tx_stalls\":0,"
             "\"pmm_pages_used\":%lu,\"pmm_pages_total\":%lu,\"tcp_open\":%d}",
             (unsigned long)boot_id, (unsigned long)now_ms(), (unsigned long)requests, (unsigned long)used,
             (unsigned long)total, tcp_open);
    respond(c, "200 OK", "application/json", body);
  } else {
    respond(c, "404 Not Found", "text/plain", "not found\n");
  }
  if (crash_kind[0] && requests == crash_after) crash_now();
}

// Answers every complete request in the buffer (pipelining); keeps a partial one.
static void parse_requests(struct conn *c) {
  size_t start = 0;
  for (;;) {
    char *end = memmem(c->in + start, c->in_len - start, "\r\n\r\n", 4);
    if (!end || OUT_MAX - c->out_len < 1024) break;
    *end = 0;
    handle_request(c, c->in + start);
    start = (size_t)(end - c->in) + 4;
  }
  memmove(c->in, c->in + start, c->in_len - start);
  c->in_len -= start;
}

static void close_conn(int ep, struct conn *c) {
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  free(c);
  tcp_open--;
}

// Reads, answers and writes until the socket would block; false when the connection is done.
static int serve(struct conn *c) {
  for (;;) {
    ssize_t n = -1;
    if (c->in_len < IN_MAX) {
      n = read(c->fd, c->in + c->in_len, IN_MAX - c->in_len);
      if (n == 0 || (n < 0 && errno != EAGAIN)) return 0;
      if (n > 0) c->in_len += (size_t)n;
    }
    parse_requests(c);
    if (c->out_len == 0) {
      if (c->in_len == IN_MAX) return 0; // a request larger than the buffer
      if (n < 0) return 1;
      continue;
    }
    while (c->out_off < c->out_len) {
      ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
      if (w < 0) return errno == EAGAIN; // the rest goes on EPOLLOUT
      c->out_off += (size_t)w;
    }
    c->out_len = c->out_off = 0;
  }
}

static int listen_on(int ep, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 128) < 0) {
    perror("bind/listen");
    return -1;
  }
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)fd << 1 | 1};
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void accept_all(int ep, int lfd) {
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
    if (fd < 0) return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
      close(fd);
      continue;
    }
    c->fd = fd;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    tcp_open++;
  }
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  signal(SIGCHLD, SIG_IGN); // insmod children reap themselves
  boot_id = read_boot_id();
  read_cmdline();
  int ep = epoll_create1(0);
  if (listen_on(ep, 80) < 0) return 1;
  for (int p = EXTRA_PORT_FIRST; p < EXTRA_PORT_FIRST + EXTRA_PORT_COUNT; p++)
    if (listen_on(ep, p) < 0) return 1;
  fprintf(stderr, "soak-guest: serving HTTP on :80 and :%d-%d\n", EXTRA_PORT_FIRST,
          EXTRA_PORT_FIRST + EXTRA_PORT_COUNT - 1);
  if (crash_kind[0] && crash_after == 0) crash_now();
  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int n = epoll_wait(ep, events, MAX_EVENTS, -1);
    for (int i = 0; i < n; i++) {
      // listening sockets carry (fd << 1 | 1); connections a pointer (even)
      if (events[i].data.u64 & 1) {
        accept_all(ep, (int)(events[i].data.u64 >> 1));
        continue;
      }
      struct conn *c = events[i].data.ptr;
      if (!serve(c) || (events[i].events & (EPOLLERR | EPOLLHUP))) close_conn(ep, c);
    }
  }
}
