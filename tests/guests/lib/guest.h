/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test guests' library, in the manner of kvm-unit-tests' x86 lib:
 * a multiboot v1 start-up (start.S), COM1 output with printf-like
 * formatting, PASS/FAIL/SKIP lines and the closing SUMMARY with an exit
 * through the isa-debug-exit port, an IDT whose exception handlers
 * catch faults in probes, the local xAPIC, the TSC, and the options of
 * the command line and the environment module.
 *
 * A guest defines guest_main(); the start-up calls it with the IDT
 * loaded, the PIC masked and the options parsed, and then prints the
 * summary and exits with its code.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x86.h"

/* Each guest's own code, called by the start-up. */
void guest_main(void);
/* The guest's name for its messages, and its cmdline keys (NULL-ended). */
extern const char guest_name[];
extern const char *const guest_options[];

/* ---- start.S ---- */
#define GUEST_CODE_SEL	0x08
#define GUEST_DATA_SEL	0x10
/* The IDTR the loader left, saved before the guest loads its own. */
extern struct x86_dtr start_loader_idtr;
extern char start_stack_top[];

/* ---- print.c: COM1, polled ---- */
void print_putc(char c);
int print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int print_vformat(char *buf, size_t size, const char *fmt, va_list ap);
int print_format(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- report.c ---- */
/* Prints "PASS: what" or "FAIL: what"; returns ok. */
bool report(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_skip(const char *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints the SUMMARY line and exits: code 0 when nothing failed, 1 otherwise. */
void report_summary_exit(void) __attribute__((noreturn));
/* outl(code, 0xf4): QEMU's isa-debug-exit ends with status code * 2 + 1. */
void report_exit(uint32_t code) __attribute__((noreturn));
/* Halts this CPU for good (interrupts off). */
void report_halt(void) __attribute__((noreturn));
/* The SUMMARY line, then `cli; hlt` instead of the debug-exit port: a
 * VMM that takes every VCPU halted with interrupts off for a power-off
 * ends the VM there. */
void report_summary_halt(void) __attribute__((noreturn));

/* ---- idt.c ---- */
struct idt_frame {
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};
typedef void (*idt_handler_fn)(struct idt_frame *f);
void idt_init(void);
/* Loads the guest's IDT on the calling CPU (APs call it too). */
void idt_load(void);
void idt_set_handler(unsigned vector, idt_handler_fn fn);

/* ---- apic.c: the local xAPIC at its default base ---- */
#define APIC_BASE	0xfee00000u
#define APIC_ID		0x020
#define APIC_VERSION	0x030
#define APIC_TPR	0x080
#define APIC_PPR	0x0a0
#define APIC_EOI	0x0b0
#define APIC_SPIV	0x0f0
#define APIC_ISR	0x100
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_ICR_LOW	0x300
#define APIC_ICR_HIGH	0x310
#define APIC_LVT_TIMER	0x320
#define APIC_LVT_LINT0	0x350
#define APIC_LVT_LINT1	0x360
#define APIC_LVT_ERROR	0x370
#define APIC_TIMER_ICR	0x380
#define APIC_TIMER_CCR	0x390
#define APIC_TIMER_DCR	0x3e0

#define APIC_LVT_MASKED		(1u << 16)
#define APIC_TIMER_PERIODIC	(1u << 17)
#define APIC_SPURIOUS_VECTOR	0xff
#define APIC_ICR_BUSY		(1u << 12)
#define APIC_DM_FIXED		0x000
#define APIC_DM_INIT		0x500
#define APIC_DM_STARTUP		0x600
#define APIC_LEVEL_ASSERT	(1u << 14)
#define APIC_TRIGGER_LEVEL	(1u << 15)

uint32_t apic_read(uint32_t reg);
void apic_write(uint32_t reg, uint32_t val);
/* Globally enables the APIC (APIC_BASE MSR) and software-enables it (SPIV). */
void apic_enable(void);
uint32_t apic_id(void);
void apic_eoi(void);
/* Sends an IPI; returns false when delivery stays pending too long. */
bool apic_icr(uint32_t dest_id, uint32_t low);
/* Masks the LVT timer and stops its count. */
void apic_timer_stop(void);
/* Masks the legacy 8259 PICs. */
void apic_pic_mask(void);

/* ---- smp.c ---- */
/*
 * Starts the AP with APIC ID APIC_ID (INIT, SIPI, SIPI) on stack SLOT
 * (0..3) running FN with the IDT loaded and its APIC enabled; true once
 * the AP has reported in.
 */
bool smp_start_ap(uint32_t apic_id, unsigned slot, void (*fn)(void));

/* ---- tsc.c ---- */
void tsc_delay(uint64_t cycles);

/* ---- opts.c: key=value from the command line, then the environment ---- */
void opts_init(uint32_t magic, const void *mbi);
bool opts_have_mbi(void);
/* RAM end: 1 MiB + mem_upper KiB, or 0 without memory info. */
uint64_t opts_ram_end(void);
const char *opts_str(const char *key, const char *dflt);
/* Numbers in decimal or 0x hex; a bad value is a FAIL line and the default. */
uint64_t opts_uint(const char *key, uint64_t dflt);
const char *opts_cmdline(void);
const char *opts_env(void);

/* ---- string.c: what the compiler may call ---- */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
