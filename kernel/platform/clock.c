/* Time: the TSC, calibrated once against the PIT (1.193182 MHz), and the PIT's
 * channel 0 as a 100 Hz tick that wakes the idle halt (GSI 2 on the IOAPIC). */
#include "platform.h"

#define PIT_HZ 1193182ull
#define TICK_HZ 100
#define CALIBRATE_PIT_TICKS (PIT_HZ / 50) /* 20 ms */

static uint64_t tsc_hz, tsc_at_boot;
static const char* source = "none";

static uint16_t pit_read_ch0(void) {
  outb(0x43, 0x00); /* latch channel 0 */
  uint8_t lo = inb(0x40);
  return (uint16_t)(lo | (inb(0x40) << 8));
}

/* Counts PIT ticks on a free-running channel 0 while the TSC runs. Returns 0
 * when the PIT does not count (absent, e.g. a machine started with pit=off). */
static uint64_t calibrate_with_pit(void) {
  outb(0x43, 0x34); /* channel 0, lo/hi byte, mode 2, binary */
  outb(0x40, 0);
  outb(0x40, 0); /* reload 65536 */
  uint16_t last = pit_read_ch0();
  uint64_t elapsed = 0, spins = 0;
  uint64_t t0 = rdtsc();
  while (elapsed < CALIBRATE_PIT_TICKS) {
    uint16_t now = pit_read_ch0();
    elapsed += (uint16_t)(last - now); /* counts down, wraps at 65536 */
    last = now;
    if (++spins > 2000000 && elapsed == 0) return 0;
  }
  uint64_t t1 = rdtsc();
  return (t1 - t0) * PIT_HZ / elapsed;
}

void clock_init(void) {
  tsc_at_boot = rdtsc();
  uint32_t r[4];
  cpuid(0, 0, r);
  if (r[0] >= 0x15) {
    cpuid(0x15, 0, r); /* TSC/crystal ratio and crystal frequency, where the CPU reports them */
    if (r[0] && r[1] && r[2]) {
      tsc_hz = (uint64_t)r[2] * r[1] / r[0];
      source = "cpuid";
    }
  }
  if (!tsc_hz) {
    tsc_hz = calibrate_with_pit();
    source = "pit";
  }
  if (!tsc_hz) {
    /* No reference at all: say so loudly and assume 1 GHz so time still advances. */
    console_puts("clock: WARNING no PIT and no CPUID TSC frequency; assuming 1 GHz\n");
    tsc_hz = 1000000000ull;
    source = "assumed";
  }
  /* The periodic tick: mode 2 (rate generator) on channel 0. */
  uint16_t reload = (uint16_t)(PIT_HZ / TICK_HZ);
  outb(0x43, 0x34);
  outb(0x40, reload & 0xff);
  outb(0x40, reload >> 8);
}

uint64_t clock_ns(void) {
  uint64_t t = rdtsc() - tsc_at_boot;
  /* Split so nothing overflows and no 128-bit division (no libgcc here). */
  return t / tsc_hz * 1000000000ull + t % tsc_hz * 1000000000ull / tsc_hz;
}

uint64_t clock_tsc_hz(void) { return tsc_hz; }
const char* clock_source(void) { return source; }
