/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Basic types of the vmkernel.  Machine (physical) and virtual addresses
 * get distinct single-member struct types so that one cannot be passed
 * where the other is expected; pa()/va() build them and pa_addr()/va_addr()
 * take the number back out.
 */
#ifndef VMK_TYPES_H
#define VMK_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

typedef struct { u64 pa; } paddr_t;
typedef struct { u64 va; } vaddr_t;

static inline paddr_t pa(u64 a) { return (paddr_t){ a }; }
static inline vaddr_t va(u64 a) { return (vaddr_t){ a }; }
static inline u64 pa_addr(paddr_t p) { return p.pa; }
static inline u64 va_addr(vaddr_t v) { return v.va; }
static inline paddr_t pa_add(paddr_t p, u64 n) { return (paddr_t){ p.pa + n }; }

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#define __packed	__attribute__((packed))
#define __aligned(n)	__attribute__((aligned(n)))
#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define __unused	__attribute__((unused))

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#endif
