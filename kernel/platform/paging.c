/* The identity map: RAM and the device windows the kernel uses, nothing else.
 * Page 0 (null), the stack guard page and the whole kernel half of the address
 * space stay unmapped, so a stray pointer faults instead of reading garbage. */
#include "platform.h"

#define PRESENT 0x1ull
#define WRITABLE 0x2ull
#define WRITE_THROUGH 0x8ull
#define NO_CACHE 0x10ull
#define LARGE 0x80ull
#define ADDR_MASK 0x000ffffffffff000ull
#define MB2 (2ull << 20)
#define GB1 (1ull << 30)

typedef uint64_t table_t[512] __attribute__((aligned(4096)));

static table_t pml4, pdpt, pd[4]; /* 4 GiB of 2 MiB entries: RAM and MMIO live below 4 GiB */
static table_t pt_pool[8];
static int pt_used;

extern char __stack_guard[];

/* The 4 KiB table under a 2 MiB entry, splitting a large page (or filling an empty one). */
static uint64_t* table_4k(uint64_t addr) {
  uint64_t* pde = &pd[addr / GB1][(addr / MB2) % 512];
  if ((*pde & PRESENT) && !(*pde & LARGE)) return (uint64_t*)(*pde & ADDR_MASK);
  if (pt_used == (int)(sizeof pt_pool / sizeof pt_pool[0])) {
    console_puts("paging: out of page tables\n");
    halt_forever();
  }
  uint64_t* pt = pt_pool[pt_used++];
  uint64_t base = addr & ~(MB2 - 1);
  for (int i = 0; i < 512; i++) pt[i] = (*pde & PRESENT) ? (base + i * 4096ull) | (*pde & 0x1f) : 0;
  *pde = (uint64_t)pt | PRESENT | WRITABLE;
  return pt;
}

static void unmap_4k(uint64_t addr) { table_4k(addr)[(addr >> 12) % 512] = 0; }

static void map_device_4k(uint64_t addr) {
  table_4k(addr)[(addr >> 12) % 512] = addr | PRESENT | WRITABLE | NO_CACHE | WRITE_THROUGH;
}

void paging_init(uint64_t ram_end) {
  if (ram_end > 4 * GB1) ram_end = 4 * GB1;
  for (int i = 0; i < 4; i++) pdpt[i] = (uint64_t)pd[i] | PRESENT | WRITABLE;
  pml4[0] = (uint64_t)pdpt | PRESENT | WRITABLE;
  for (uint64_t a = 0; a + MB2 <= ram_end; a += MB2) pd[a / GB1][(a / MB2) % 512] = a | PRESENT | WRITABLE | LARGE;

  unmap_4k(0);
  unmap_4k((uint64_t)__stack_guard);
  map_device_4k(0xfeb00000); /* virtio-mmio transports (microvm: 0xfeb00000 + i * 0x200) */
  map_device_4k(0xfec00000); /* IOAPIC */
  map_device_4k(0xfee00000); /* local APIC */

  __asm__ volatile("mov %0, %%cr3" ::"r"(pml4) : "memory");
}
