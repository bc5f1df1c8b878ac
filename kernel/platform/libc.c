/* The few libc functions gcc and wasm2c output call even in freestanding mode.
 * wasm's memory.copy/fill land here, so they use the string instructions. */
#include <stddef.h>
#include <stdint.h>
#include "rep.h"

void* memcpy(void* dst, const void* src, size_t n) {
  void* d = dst;
  REP_MOVS(d, src, n);
  return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
  if ((uintptr_t)dst - (uintptr_t)src >= n) return memcpy(dst, src, n); /* no harmful overlap */
  /* dst overlaps the tail of src: copy backwards. */
  uint8_t* d = (uint8_t*)dst + n - 1;
  const uint8_t* s = (const uint8_t*)src + n - 1;
  __asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n)::"memory");
  return dst;
}

void* memset(void* dst, int c, size_t n) {
  void* d = dst;
  REP_STOS(d, c, n);
  return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
  const uint8_t *x = a, *y = b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}
