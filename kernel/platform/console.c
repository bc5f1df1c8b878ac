/* COM1 serial console, polled: the only output device, and the one the engine reads. */
#include "platform.h"

#define COM1 0x3f8

void console_init(void) {
  outb(COM1 + 1, 0x00); /* no UART interrupts */
  outb(COM1 + 3, 0x80); /* divisor latch */
  outb(COM1 + 0, 0x01); /* 115200 baud */
  outb(COM1 + 1, 0x00);
  outb(COM1 + 3, 0x03); /* 8N1 */
  outb(COM1 + 2, 0xc7); /* FIFO on, cleared */
  outb(COM1 + 4, 0x03);
}

static void put(char c) {
  /* Bounded wait for the transmit holding register: never hang the dump path. */
  for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++) {
  }
  outb(COM1, (uint8_t)c);
}

void console_write(const char* s, size_t n) {
  for (size_t i = 0; i < n; i++) put(s[i]);
}

void console_puts(const char* s) {
  while (*s) put(*s++);
}

void console_hex(uint64_t v) {
  char buf[18] = {'0', 'x'};
  for (int i = 0; i < 16; i++) buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
  console_write(buf, sizeof buf);
}

void console_dec(uint64_t v) {
  char buf[20];
  int i = sizeof buf;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  console_write(buf + i, sizeof buf - i);
}
