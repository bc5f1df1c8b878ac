/* GDT/TSS/IDT, the exception entry and the seed-format fault dumps. */
#include "platform.h"

struct tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3, iomap_base;
} __attribute__((packed));

struct idt_entry {
  uint16_t offset_lo, selector;
  uint8_t ist, type_attr;
  uint16_t offset_mid;
  uint32_t offset_hi, zero;
} __attribute__((packed));

#define IST_STACK_SIZE 16384
enum { IST_PF = 1, IST_DF, IST_NMI, IST_MC };

extern uint64_t gdt[];   /* boot.S */
extern char isr_stubs[]; /* boot.S: 16 bytes per vector */

static struct tss tss;
static struct idt_entry idt[256];
static uint8_t ist_stacks[4][IST_STACK_SIZE] __attribute__((aligned(16)));

/* The interrupted context of the fault being dumped, kept for a debugger:
 * the soak's triage reads it through the gdbstub to unwind from the faulting frame. */
struct cpu_frame fault_frame;
static volatile int dumping;

static const char* const exception_names[32] = {
    "DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS", "NP", "SS", "GP", "PF", "X15",
    "MF", "AC", "MC", "XM", "VE", "CP", "X22", "X23", "X24", "X25", "X26", "X27", "HV", "VC", "SX", "X31"};

void cpu_init(void) {
  for (int i = 0; i < 4; i++) tss.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK_SIZE];
  tss.iomap_base = sizeof tss;
  uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;
  gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
           (((base >> 24) & 0xff) << 56);
  gdt[4] = base >> 32;
  __asm__ volatile("ltr %w0" ::"r"(0x18));

  for (int v = 0; v < 256; v++) {
    uint64_t handler = (uint64_t)(isr_stubs + 16 * v);
    idt[v] = (struct idt_entry){
        .offset_lo = (uint16_t)handler,
        .selector = 0x08,
        .ist = 0,
        .type_attr = 0x8e, /* present, ring 0, interrupt gate */
        .offset_mid = (uint16_t)(handler >> 16),
        .offset_hi = (uint32_t)(handler >> 32),
    };
  }
  /* A page fault on an overflowed stack must still have a stack to dump from. */
  idt[14].ist = IST_PF;
  idt[8].ist = IST_DF;
  idt[2].ist = IST_NMI;
  idt[18].ist = IST_MC;
  struct {
    uint16_t limit;
    uint64_t base;
  } __attribute__((packed)) idtr = {sizeof idt - 1, (uint64_t)idt};
  __asm__ volatile("lidt %0" ::"m"(idtr));
}

static void field(const char* name, uint64_t v) {
  console_puts(name);
  console_hex(v);
}

void fault_enter(void) {
  __asm__ volatile("cli");
  if (dumping++) halt_forever(); /* a fault while dumping: the first dump is what matters */
}

void fault_registers_and_halt(uint64_t rip, uint64_t cs, uint64_t rflags, uint64_t rsp, uint64_t ss) {
  field("RIP=", rip);
  field(" CS=", cs);
  field("\nRFL=", rflags);
  field(" RSP=", rsp);
  field(" SS=", ss);
  console_puts("\n");
  halt_forever();
}

void isr_dispatch(struct cpu_frame* f) {
  if (f->vector >= 32) {
    if (f->vector != IRQ_SPURIOUS) irq_handle(f->vector);
    return;
  }
  fault_frame = *f;
  /* "at" is CR2 for a page fault (the address touched), the instruction otherwise. */
  uint64_t at = f->vector == 14 ? read_cr2() : f->rip;
  fault_enter();
  console_puts(exception_names[f->vector]);
  field(" at ", at);
  field(" err=", f->error);
  console_puts("\n");
  fault_registers_and_halt(f->rip, f->cs, f->rflags, f->rsp, f->ss);
}
