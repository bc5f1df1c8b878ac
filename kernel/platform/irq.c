/* Interrupts: the IOAPIC routes GSI n to vector 0x30 + n on the boot CPU, the
 * handler only records it, and the AssemblyScript main loop collects the record.
 * Wasm code always runs with interrupts off; they are on only inside irq_wait's
 * "sti; hlt", so nothing ever re-enters wasm and an idle guest costs no CPU. */
#include "platform.h"

#define LAPIC 0xfee00000ull
#define LAPIC_ID 0x20
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define IOAPIC 0xfec00000ull

static volatile uint32_t pending;

static void ioapic_write(uint32_t reg, uint32_t v) {
  mmio_write32(IOAPIC, reg);
  mmio_write32(IOAPIC + 0x10, v);
}

void irq_init(void) {
  wrmsr(0x1b, rdmsr(0x1b) | (1u << 11)); /* APIC global enable */
  mmio_write32(LAPIC + LAPIC_TPR, 0);
  mmio_write32(LAPIC + LAPIC_SVR, 0x100 | IRQ_SPURIOUS);
}

/* Edge-triggered, active high, fixed delivery to this CPU. */
void irq_route(uint32_t gsi) {
  uint32_t apic_id = mmio_read32(LAPIC + LAPIC_ID) >> 24;
  ioapic_write(0x11 + 2 * gsi, apic_id << 24);
  ioapic_write(0x10 + 2 * gsi, IRQ_VECTOR_BASE + gsi);
}

void irq_handle(uint64_t vector) {
  pending |= 1u << (vector - IRQ_VECTOR_BASE);
  mmio_write32(LAPIC + LAPIC_EOI, 0);
}

/* The GSIs that fired since the last call (bit n = GSI n). */
uint32_t irq_take(void) {
  uint32_t p = pending;
  pending = 0;
  return p;
}

/* Halt until any interrupt. "sti; hlt" is atomic: an interrupt pending since the
 * caller last looked is taken right at the hlt, so no wake-up is lost. */
void irq_wait(void) {
  if (pending) return;
  __asm__ volatile("sti; hlt; cli" ::: "memory");
}
