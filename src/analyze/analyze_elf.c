/*
 * ELF hardening and linking facts, per executable and shared object.
 *
 * Specification: System V ABI, "ELF" chapter (generic) and the GNU
 * extensions PT_GNU_STACK, PT_GNU_RELRO, DT_FLAGS_1, DT_GNU_HASH; MIPS psABI
 * for DT_MIPS_SYMTABNO. The verdicts follow checksec's definitions so the
 * two agree on the same tree:
 *   NX      PT_GNU_STACK present and not executable
 *   PIE     ET_DYN with DF_1_PIE, DT_DEBUG (DT_MIPS_RLD_MAP on MIPS), or an
 *           interpreter and no soname (else a shared object). checksec looks
 *           for DT_DEBUG only, so it calls MIPS PIE executables "DSO".
 *   RELRO   PT_GNU_RELRO = partial; with BIND_NOW (DT_BIND_NOW, DF_BIND_NOW,
 *           DF_1_NOW) = full
 *   canary  a symbol __stack_chk_fail / __stack_chk_guard / __intel_security_cookie
 *   FORTIFY imports of __*_chk functions (fortified) against imports of the
 *           plain functions glibc can fortify (fortifiable); computed from the
 *           binary alone, so it works for glibc, uClibc-ng and musl targets.
 *
 * Why by hand: only the file header, program headers, the dynamic section and
 * the symbol tables are needed, for both byte orders and classes, from bytes
 * that are shared read-only between threads. Each read is bounds-checked
 * through util/reader.h; nothing in the file is trusted (counts are capped,
 * offsets checked, strings bounded). Stripped binaries without section
 * headers (common in firmware) are handled through DT_SYMTAB/DT_STRTAB and
 * the hash tables.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/analyzer.h"
#include "util/alloc.h"
#include "util/dynbuf.h"
#include "util/reader.h"

#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_GNU_STACK 0x6474e551
#define PT_GNU_RELRO 0x6474e552
#define PF_X 1

#define SHT_SYMTAB 2
#define SHT_DYNSYM 11

#define DT_NULL 0
#define DT_NEEDED 1
#define DT_HASH 4
#define DT_STRTAB 5
#define DT_SYMTAB 6
#define DT_STRSZ 10
#define DT_SONAME 14
#define DT_RPATH 15
#define DT_DEBUG 21
#define DT_BIND_NOW 24
#define DT_RUNPATH 29
#define DT_FLAGS 30
#define DT_GNU_HASH 0x6ffffef5
#define DT_FLAGS_1 0x6ffffffb
#define DT_MIPS_SYMTABNO 0x70000011
#define DT_MIPS_RLD_MAP 0x70000016
#define DT_MIPS_RLD_MAP_REL 0x70000035
#define DF_BIND_NOW 0x8
#define DF_1_NOW 0x1
#define DF_1_PIE 0x08000000

#define MAX_PHDRS 512
#define MAX_SHDRS 4096
#define MAX_DYN 4096
#define MAX_SYMS 200000
#define MAX_NEEDED 64
#define MAX_STR 256

struct elf {
	const uint8_t *p;
	size_t len;
	bool is64, be;
	uint16_t type, machine;
	uint64_t phoff, shoff;
	uint16_t phentsize, phnum, shentsize, shnum;
	/* program headers of interest */
	bool has_interp, has_dynamic, has_stack, stack_exec, has_relro;
	uint64_t interp_off, interp_len, dyn_off, dyn_len;
	/* PT_LOAD map for vaddr -> offset */
	struct {
		uint64_t vaddr, off, filesz;
	} load[16];
	unsigned nload;
	/* dynamic */
	uint64_t strtab, strsz, symtab, hash, gnuhash, mips_symtabno, flags, flags1;
	bool bind_now, debug;
	uint64_t needed[MAX_NEEDED];
	unsigned nneeded;
	uint64_t soname, rpath, runpath;
	bool has_soname, has_rpath, has_runpath;
	/* symbols */
	bool has_symtab;
	bool canary, any_chk;
	unsigned fortified, fortifiable;
	char risky[256];
	char fortified_names[256];
};

static bool ld16(const struct elf *e, uint64_t off, uint16_t *v)
{
	return e->be ? iota_ld_u16be(e->p, e->len, off, v) : iota_ld_u16le(e->p, e->len, off, v);
}

static bool ld32(const struct elf *e, uint64_t off, uint32_t *v)
{
	return e->be ? iota_ld_u32be(e->p, e->len, off, v) : iota_ld_u32le(e->p, e->len, off, v);
}

static bool ld64(const struct elf *e, uint64_t off, uint64_t *v)
{
	return e->be ? iota_ld_u64be(e->p, e->len, off, v) : iota_ld_u64le(e->p, e->len, off, v);
}

/* A word: 4 bytes in ELF32, 8 in ELF64. */
static bool ldw(const struct elf *e, uint64_t off, uint64_t *v)
{
	if (e->is64)
		return ld64(e, off, v);
	uint32_t x;
	if (!ld32(e, off, &x))
		return false;
	*v = x;
	return true;
}

static bool vaddr_to_off(const struct elf *e, uint64_t va, uint64_t *off)
{
	for (unsigned i = 0; i < e->nload; i++) {
		if (va >= e->load[i].vaddr && va - e->load[i].vaddr < e->load[i].filesz) {
			*off = e->load[i].off + (va - e->load[i].vaddr);
			return *off < e->len;
		}
	}
	return false;
}

/* Copies the NUL-terminated string at off (bounded by limit) into out. */
static bool read_str(const struct elf *e, uint64_t off, uint64_t limit, char *out, size_t cap)
{
	if (off >= e->len)
		return false;
	if (limit > e->len)
		limit = e->len;
	size_t i = 0;
	while (off + i < limit && i + 1 < cap) {
		char c = (char)e->p[off + i];
		if (c == '\0') {
			out[i] = '\0';
			return true;
		}
		out[i++] = c;
	}
	out[i] = '\0';
	return i > 0;
}

static bool parse_header(struct elf *e)
{
	uint8_t cls, data;
	if (!iota_ld_match(e->p, e->len, 0, "\x7f" "ELF", 4) || !iota_ld_u8(e->p, e->len, 4, &cls) ||
	    !iota_ld_u8(e->p, e->len, 5, &data))
		return false;
	if ((cls != 1 && cls != 2) || (data != 1 && data != 2))
		return false;
	e->is64 = cls == 2;
	e->be = data == 2;
	if (!ld16(e, 16, &e->type) || !ld16(e, 18, &e->machine))
		return false;
	if (e->is64) {
		if (!ld64(e, 32, &e->phoff) || !ld64(e, 40, &e->shoff) || !ld16(e, 54, &e->phentsize) ||
		    !ld16(e, 56, &e->phnum) || !ld16(e, 58, &e->shentsize) || !ld16(e, 60, &e->shnum))
			return false;
	} else {
		uint32_t ph, sh;
		if (!ld32(e, 28, &ph) || !ld32(e, 32, &sh) || !ld16(e, 42, &e->phentsize) ||
		    !ld16(e, 44, &e->phnum) || !ld16(e, 46, &e->shentsize) || !ld16(e, 48, &e->shnum))
			return false;
		e->phoff = ph;
		e->shoff = sh;
	}
	return true;
}

static void parse_phdrs(struct elf *e)
{
	unsigned want = e->is64 ? 56 : 32;
	if (e->phentsize < want || e->phnum > MAX_PHDRS)
		return;
	for (unsigned i = 0; i < e->phnum; i++) {
		uint64_t b = e->phoff + (uint64_t)i * e->phentsize;
		uint32_t type, flags;
		uint64_t off, va, filesz;
		if (!ld32(e, b, &type))
			return;
		if (e->is64) {
			if (!ld32(e, b + 4, &flags) || !ld64(e, b + 8, &off) || !ld64(e, b + 16, &va) ||
			    !ld64(e, b + 32, &filesz))
				return;
		} else {
			uint32_t o, v, f;
			if (!ld32(e, b + 4, &o) || !ld32(e, b + 8, &v) || !ld32(e, b + 16, &f) ||
			    !ld32(e, b + 24, &flags))
				return;
			off = o;
			va = v;
			filesz = f;
		}
		switch (type) {
		case PT_LOAD:
			if (e->nload < sizeof e->load / sizeof e->load[0]) {
				e->load[e->nload].vaddr = va;
				e->load[e->nload].off = off;
				e->load[e->nload].filesz = filesz;
				e->nload++;
			}
			break;
		case PT_DYNAMIC:
			e->has_dynamic = true;
			e->dyn_off = off;
			e->dyn_len = filesz;
			break;
		case PT_INTERP:
			e->has_interp = true;
			e->interp_off = off;
			e->interp_len = filesz;
			break;
		case PT_GNU_STACK:
			e->has_stack = true;
			e->stack_exec = (flags & PF_X) != 0;
			break;
		case PT_GNU_RELRO:
			e->has_relro = true;
			break;
		default:
			break;
		}
	}
}

static void parse_dynamic(struct elf *e)
{
	if (!e->has_dynamic)
		return;
	unsigned ent = e->is64 ? 16 : 8;
	uint64_t n = e->dyn_len / ent;
	if (n > MAX_DYN)
		n = MAX_DYN;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t tag, val;
		if (!ldw(e, e->dyn_off + i * ent, &tag) || !ldw(e, e->dyn_off + i * ent + ent / 2, &val))
			return;
		if (!e->is64 && (tag & 0x80000000u))
			tag |= 0xffffffff00000000ULL; /* sign-extend ELF32 d_tag */
		switch (tag) {
		case DT_NULL:
			return;
		case DT_NEEDED:
			if (e->nneeded < MAX_NEEDED)
				e->needed[e->nneeded++] = val;
			break;
		case DT_STRTAB: e->strtab = val; break;
		case DT_STRSZ: e->strsz = val; break;
		case DT_SYMTAB: e->symtab = val; break;
		case DT_HASH: e->hash = val; break;
		case DT_GNU_HASH: e->gnuhash = val; break;
		case DT_MIPS_SYMTABNO: e->mips_symtabno = val; break;
		case DT_SONAME: e->soname = val; e->has_soname = true; break;
		case DT_RPATH: e->rpath = val; e->has_rpath = true; break;
		case DT_RUNPATH: e->runpath = val; e->has_runpath = true; break;
		case DT_DEBUG:
		case DT_MIPS_RLD_MAP: /* MIPS' DT_DEBUG */
		case DT_MIPS_RLD_MAP_REL: e->debug = true; break;
		case DT_BIND_NOW: e->bind_now = true; break;
		case DT_FLAGS: e->flags = val; break;
		case DT_FLAGS_1: e->flags1 = val; break;
		default: break;
		}
	}
}

/* A string from the dynamic string table (DT_STRTAB + index). */
static bool dynstr(const struct elf *e, uint64_t idx, char *out, size_t cap)
{
	uint64_t base;
	if (!vaddr_to_off(e, e->strtab, &base))
		return false;
	uint64_t limit = e->strsz && base + e->strsz > base ? base + e->strsz : e->len;
	if (idx >= limit - base)
		return false;
	return read_str(e, base + idx, limit, out, cap);
}

static const char *const risky_fns[] = {
	"system", "popen", "execl", "execlp", "execv", "execvp", "strcpy", "strcat",
	"sprintf", "vsprintf", "gets", "scanf", "sscanf", "tmpnam", "mktemp",
};

/* The functions glibc 2.36 (Debian bookworm) exports a __<name>_chk for:
 * what checksec counts as "fortifiable", so the counts agree with it. */
static const char *const fortifiable_fns[] = {
	"asprintf", "confstr", "dprintf", "explicit_bzero", "fdelt", "fgets", "fgets_unlocked",
	"fgetws", "fgetws_unlocked", "fprintf", "fread", "fread_unlocked", "fwprintf", "getcwd",
	"getdomainname", "getgroups", "gethostname", "getlogin_r", "gets", "getwd", "longjmp",
	"mbsnrtowcs", "mbsrtowcs", "mbstowcs", "memcpy", "memmove", "mempcpy", "memset",
	"obstack_printf", "obstack_vprintf", "poll", "ppoll", "pread", "pread64", "printf",
	"ptsname_r", "read", "readlink", "readlinkat", "realpath", "recv", "recvfrom", "snprintf",
	"sprintf", "stpcpy", "stpncpy", "strcat", "strcpy", "strncat", "strncpy", "swprintf",
	"syslog", "ttyname_r", "vasprintf", "vdprintf", "vfprintf", "vfwprintf", "vprintf",
	"vsnprintf", "vsprintf", "vswprintf", "vsyslog", "vwprintf", "wcpcpy", "wcpncpy", "wcrtomb",
	"wcscat", "wcscpy", "wcsncat", "wcsncpy", "wcsnrtombs", "wcsrtombs", "wcstombs", "wctomb",
	"wmemcpy", "wmemmove", "wmempcpy", "wmemset", "wprintf",
};

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

static void add_name(char *buf, size_t cap, const char *name)
{
	/* a short, de-duplicated, comma-separated list */
	size_t nl = strlen(name), bl = strlen(buf);
	const char *p = buf;
	while ((p = strstr(p, name)) != NULL) {
		if ((p == buf || p[-1] == ',') && (p[nl] == ',' || p[nl] == '\0'))
			return;
		p += nl;
	}
	if (bl + nl + 2 > cap)
		return;
	if (bl)
		buf[bl++] = ',';
	memcpy(buf + bl, name, nl + 1);
}

/* One symbol. dyn: from the dynamic symbol table, where imports and the
 * FORTIFY counts live (checksec reads --dyn-syms for those and every table
 * for the canary). */
static void note_symbol(struct elf *e, const char *name, uint16_t shndx, bool dyn)
{
	if (strcmp(name, "__stack_chk_fail") == 0 || strcmp(name, "__stack_chk_guard") == 0 ||
	    strcmp(name, "__stack_chk_fail_local") == 0 ||
	    strcmp(name, "__intel_security_cookie") == 0)
		e->canary = true;
	if (!dyn)
		return;
	/* as checksec: leading underscores dropped, every entry counted, defined
	 * or not; X_chk is fortified, plain X fortifiable */
	const char *base = name;
	while (*base == '_')
		base++;
	size_t nl = strlen(base);
	if (nl > 4 && strcmp(base + nl - 4, "_chk") == 0) {
		e->any_chk = true;
		char plain[MAX_STR];
		snprintf(plain, sizeof plain, "%.*s", (int)(nl - 4), base);
		if (in_list(plain, fortifiable_fns, sizeof fortifiable_fns / sizeof fortifiable_fns[0])) {
			e->fortified++;
			add_name(e->fortified_names, sizeof e->fortified_names, plain);
		}
		return;
	}
	if (in_list(base, fortifiable_fns, sizeof fortifiable_fns / sizeof fortifiable_fns[0]))
		e->fortifiable++;
	if (shndx == 0 && in_list(name, risky_fns, sizeof risky_fns / sizeof risky_fns[0]))
		add_name(e->risky, sizeof e->risky, name);
}

/* Walks count symbols at file offset off with names in [stroff, strend). */
static void walk_syms(struct elf *e, uint64_t off, uint64_t count, uint64_t stroff, uint64_t strend,
		      bool dyn)
{
	unsigned ent = e->is64 ? 24 : 16;
	if (count > MAX_SYMS)
		count = MAX_SYMS;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t b = off + i * ent;
		uint32_t name;
		uint16_t shndx;
		if (!ld32(e, b, &name) || !ld16(e, b + (e->is64 ? 6 : 14), &shndx))
			return;
		if (name == 0)
			continue;
		char s[MAX_STR];
		if (stroff + name < stroff || !read_str(e, stroff + name, strend, s, sizeof s))
			continue;
		note_symbol(e, s, shndx, dyn);
	}
}

/* Symbol count of the dynamic symbol table from the hash tables. */
static uint64_t dynsym_count(const struct elf *e)
{
	uint64_t off;
	uint32_t v;
	if (e->mips_symtabno)
		return e->mips_symtabno;
	if (e->hash && vaddr_to_off(e, e->hash, &off) && ld32(e, off + 4, &v))
		return v; /* nchain */
	if (e->gnuhash && vaddr_to_off(e, e->gnuhash, &off)) {
		uint32_t nbuckets, symoffset, bloom_size;
		if (!ld32(e, off, &nbuckets) || !ld32(e, off + 4, &symoffset) ||
		    !ld32(e, off + 8, &bloom_size) || nbuckets > MAX_SYMS)
			return 0;
		uint64_t buckets = off + 16 + (uint64_t)bloom_size * (e->is64 ? 8 : 4);
		uint32_t max = 0;
		for (uint32_t i = 0; i < nbuckets; i++) {
			if (!ld32(e, buckets + 4ULL * i, &v))
				return 0;
			if (v > max)
				max = v;
		}
		if (max < symoffset)
			return symoffset;
		uint64_t chain = buckets + 4ULL * nbuckets;
		for (uint64_t i = max - symoffset; i < MAX_SYMS; i++) {
			if (!ld32(e, chain + 4 * i, &v))
				return 0;
			if (v & 1)
				return symoffset + i + 1;
		}
	}
	return 0;
}

static void parse_symbols(struct elf *e)
{
	bool have_dynsym_section = false;
	unsigned want = e->is64 ? 64 : 40;
	if (e->shoff && e->shentsize >= want && e->shnum <= MAX_SHDRS) {
		for (unsigned i = 0; i < e->shnum; i++) {
			uint64_t b = e->shoff + (uint64_t)i * e->shentsize;
			uint32_t type, link;
			uint64_t off, size;
			if (!ld32(e, b + 4, &type))
				break;
			if (type != SHT_SYMTAB && type != SHT_DYNSYM)
				continue;
			if (e->is64) {
				if (!ld64(e, b + 24, &off) || !ld64(e, b + 32, &size) || !ld32(e, b + 40, &link))
					continue;
			} else {
				uint32_t o, sz;
				if (!ld32(e, b + 16, &o) || !ld32(e, b + 20, &sz) || !ld32(e, b + 24, &link))
					continue;
				off = o;
				size = sz;
			}
			/* the linked string table */
			uint64_t lb = e->shoff + (uint64_t)link * e->shentsize, soff, ssize;
			if (link >= e->shnum)
				continue;
			if (e->is64) {
				if (!ld64(e, lb + 24, &soff) || !ld64(e, lb + 32, &ssize))
					continue;
			} else {
				uint32_t o, sz;
				if (!ld32(e, lb + 16, &o) || !ld32(e, lb + 20, &sz))
					continue;
				soff = o;
				ssize = sz;
			}
			if (type == SHT_SYMTAB)
				e->has_symtab = true;
			else
				have_dynsym_section = true;
			walk_syms(e, off, size / (e->is64 ? 24 : 16), soff,
				  soff + ssize > soff ? soff + ssize : e->len, type == SHT_DYNSYM);
		}
	}
	if (!have_dynsym_section && e->symtab && e->strtab) {
		uint64_t off, stroff;
		if (vaddr_to_off(e, e->symtab, &off) && vaddr_to_off(e, e->strtab, &stroff))
			walk_syms(e, off, dynsym_count(e), stroff,
				  e->strsz && stroff + e->strsz > stroff ? stroff + e->strsz : e->len, true);
	}
}

static const char *machine_name(uint16_t m)
{
	switch (m) {
	case 3: return "x86";
	case 8: return "mips";
	case 20: return "ppc";
	case 21: return "ppc64";
	case 40: return "arm";
	case 42: return "superh";
	case 62: return "x86_64";
	case 183: return "aarch64";
	case 243: return "riscv";
	case 92: return "openrisc";
	case 94: return "xtensa";
	case 258: return "loongarch";
	default: return "other";
	}
}

static int wants(const iota_node *n, const uint8_t *head, size_t head_len)
{
	(void)n;
	return head_len >= 52 && memcmp(head, "\x7f" "ELF", 4) == 0;
}

static void run_file(iota_scan *s, iota_node *n, const iota_blob *b)
{
	struct elf *e = iota_calloc(1, sizeof *e);
	if (!e)
		return;
	e->p = b->data;
	e->len = b->len;
	if (!parse_header(e)) {
		iota_node_attr(s, n, "elf.error", "damaged header");
		iota_free(e);
		return;
	}
	parse_phdrs(e);
	parse_dynamic(e);
	parse_symbols(e);

	iota_node_attr(s, n, "elf.class", "%d", e->is64 ? 64 : 32);
	iota_node_attr(s, n, "elf.endian", "%s", e->be ? "big" : "little");
	iota_node_attr(s, n, "elf.machine", "%s", machine_name(e->machine));
	const char *type = e->type == 1 ? "rel" : e->type == 2 ? "exec" : e->type == 3 ? "dyn"
			 : e->type == 4 ? "core" : "other";
	iota_node_attr(s, n, "elf.type", "%s", type);
	if (e->type != 2 && e->type != 3) {
		iota_free(e); /* objects, core dumps: no hardening to speak of */
		return;
	}
	bool dynamic = e->has_dynamic || e->has_interp;
	iota_node_attr(s, n, "elf.linking", "%s", dynamic ? "dynamic" : "static");
	if (e->has_interp) {
		char interp[MAX_STR];
		if (read_str(e, e->interp_off, e->interp_off + e->interp_len, interp, sizeof interp))
			iota_node_attr(s, n, "elf.interpreter", "%s", interp);
	}

	bool nx = e->has_stack && !e->stack_exec;
	/* A shared library that can also be run (glibc's libc.so.6 has an
	 * interpreter) is a library: PT_INTERP counts only without a soname. */
	const char *pie = e->type == 2 ? "no"
			  : ((e->flags1 & DF_1_PIE) || e->debug || (e->has_interp && !e->has_soname))
				  ? "yes"
				  : "dso";
	bool now = e->bind_now || (e->flags & DF_BIND_NOW) || (e->flags1 & DF_1_NOW);
	const char *relro = !e->has_relro ? "no" : now ? "full" : "partial";
	iota_node_attr(s, n, "elf.nx", "%s", nx ? "yes" : "no");
	iota_node_attr(s, n, "elf.pie", "%s", pie);
	iota_node_attr(s, n, "elf.relro", "%s", relro);
	iota_node_attr(s, n, "elf.canary", "%s", e->canary ? "yes" : "no");
	iota_node_attr(s, n, "elf.fortify", "%s", e->any_chk ? "yes" : "no");
	iota_node_attr(s, n, "elf.fortified", "%u", e->fortified);
	iota_node_attr(s, n, "elf.fortifiable", "%u", e->fortifiable + e->fortified);
	iota_node_attr(s, n, "elf.stripped", "%s", e->has_symtab ? "no" : "yes");

	char str[MAX_STR];
	if (e->has_soname && dynstr(e, e->soname, str, sizeof str))
		iota_node_attr(s, n, "elf.soname", "%s", str);
	if (e->has_rpath && dynstr(e, e->rpath, str, sizeof str))
		iota_node_attr(s, n, "elf.rpath", "%s", str);
	if (e->has_runpath && dynstr(e, e->runpath, str, sizeof str))
		iota_node_attr(s, n, "elf.runpath", "%s", str);
	if (e->nneeded) {
		char needed[2048] = "";
		for (unsigned i = 0; i < e->nneeded; i++)
			if (dynstr(e, e->needed[i], str, sizeof str))
				add_name(needed, sizeof needed, str);
		if (needed[0])
			iota_node_attr(s, n, "elf.needed", "%s", needed);
	}
	if (e->risky[0])
		iota_node_attr(s, n, "elf.risky_imports", "%s", e->risky);

	/* findings: what a hardening baseline asks for */
	if (!nx)
		iota_finding_add(s, "elf.exec-stack", IOTA_SEV_MEDIUM, n, UINT64_MAX,
				 "%s stack (no NX): injected code on the stack can run",
				 e->has_stack ? "executable" : "no PT_GNU_STACK, so an executable");
	char missing[128] = "";
	bool is_exec = e->has_interp || e->type == 2;
	if (is_exec && strcmp(pie, "yes") != 0)
		add_name(missing, sizeof missing, "PIE");
	if (dynamic && strcmp(relro, "full") != 0)
		add_name(missing, sizeof missing, strcmp(relro, "no") == 0 ? "RELRO" : "full RELRO");
	if (!e->canary)
		add_name(missing, sizeof missing, "stack canary");
	if (!e->any_chk && e->fortifiable)
		add_name(missing, sizeof missing, "FORTIFY_SOURCE");
	if (missing[0])
		iota_finding_add(s, "elf.hardening", IOTA_SEV_LOW, n, UINT64_MAX,
				 "built without %s", missing);
	iota_free(e);
}

/* ---- the library dependency graph (whole tree) ----
 *
 * For every dynamically linked ELF file, each DT_NEEDED name is resolved the
 * way the dynamic loader would inside the same file system (container): in
 * its RPATH/RUNPATH directories, then the standard directories, following
 * symbolic links (libz.so.1 -> libz.so.1.2.13) a few hops. The result is
 * the attribute elf.libraries (the paths loaded) and, for names found
 * nowhere, elf.missing plus a finding. Libraries get elf.loaded_by (how many
 * files of the tree load them), the start of an exposure measure.
 */

#define MAX_HOPS 8

static const char *const lib_dirs[] = {
	"lib", "usr/lib", "lib32", "usr/lib32", "lib64", "usr/lib64", "usr/local/lib",
	"lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu",
	"usr/lib/aarch64-linux-gnu", "lib/arm-linux-gnueabihf", "usr/lib/arm-linux-gnueabihf",
	"lib/arm-linux-gnueabi", "usr/lib/arm-linux-gnueabi", "lib/mipsel-linux-gnu",
	"usr/lib/mipsel-linux-gnu", "lib/mips-linux-gnu", "usr/lib/mips-linux-gnu",
	"lib/i386-linux-gnu", "usr/lib/i386-linux-gnu",
};

/* Looks up a relative path below container c, following symbolic links in
 * every component (bounded). base is the directory relative paths start in. */
static iota_node *lookup(iota_scan *s, iota_node *c, iota_node *base, const char *path, int hops)
{
	iota_node *cur = path[0] == '/' ? c : base;
	const char *p = path;
	while (*p && cur) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 1 && p[0] == '.') {
			/* stay */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (cur != c)
				cur = cur->parent;
		} else {
			iota_node *next = iota_vfs_child(s, cur, p, len);
			if (next && next->kind == IOTA_NODE_SYMLINK && next->link) {
				if (hops >= MAX_HOPS)
					return NULL;
				next = lookup(s, c, cur, next->link, hops + 1);
			}
			cur = next;
		}
		p += len;
	}
	return cur;
}

static iota_node *resolve(iota_scan *s, iota_node *c, const char *dir, const char *name)
{
	char path[IOTA_MAX_PATH];
	snprintf(path, sizeof path, "/%s/%s", dir, name);
	iota_node *n = lookup(s, c, c, path, 0);
	return n && n->kind == IOTA_NODE_FILE ? n : NULL;
}

static void count_loaded(iota_scan *s, iota_node *lib)
{
	const char *v = iota_node_attr_get(lib, "elf.loaded_by");
	unsigned long count = 0;
	if (v)
		sscanf(v, "%lu", &count);
	iota_node_attr(s, lib, "elf.loaded_by", "%lu", count + 1);
}

static void link_file(iota_scan *s, iota_node *n)
{
	const char *needed = iota_node_attr_get(n, "elf.needed");
	iota_node *c = n->container;
	if (!needed || !c)
		return;
	/* only inside a file system: a binary alone in a compressed stream or
	 * an archive of a few files has nothing to resolve against */
	if (!iota_vfs_child(s, c, "lib", 3) && !iota_vfs_child(s, c, "usr", 3))
		return;
	char libs[4096] = "", missing[1024] = "";
	char list[2048];
	snprintf(list, sizeof list, "%s", needed);
	const char *rp = iota_node_attr_get(n, "elf.runpath");
	if (!rp)
		rp = iota_node_attr_get(n, "elf.rpath");
	for (char *save = NULL, *lib = strtok_r(list, ",", &save); lib; lib = strtok_r(NULL, ",", &save)) {
		iota_node *hit = NULL;
		if (strchr(lib, '/')) {
			hit = lookup(s, c, c, lib, 0);
		} else {
			if (rp) {
				char dirs[512];
				snprintf(dirs, sizeof dirs, "%s", rp);
				for (char *s2 = NULL, *d = strtok_r(dirs, ":", &s2); d && !hit;
				     d = strtok_r(NULL, ":", &s2))
					if (!strstr(d, "$ORIGIN"))
						hit = resolve(s, c, d, lib);
			}
			for (size_t i = 0; !hit && i < sizeof lib_dirs / sizeof lib_dirs[0]; i++)
				hit = resolve(s, c, lib_dirs[i], lib);
		}
		if (hit && hit->kind == IOTA_NODE_FILE) {
			char path[IOTA_MAX_PATH + 1] = "/";
			if (iota_node_inner_path(hit, path + 1, sizeof path - 1) >= 0)
				add_name(libs, sizeof libs, path);
			count_loaded(s, hit);
		} else {
			add_name(missing, sizeof missing, lib);
		}
	}
	if (libs[0])
		iota_node_attr(s, n, "elf.libraries", "%s", libs);
	if (missing[0]) {
		iota_node_attr(s, n, "elf.missing", "%s", missing);
		iota_finding_add(s, "elf.missing-library", IOTA_SEV_INFO, n, UINT64_MAX,
				 "needs %s, not found in this file system", missing);
	}
}

static void walk_tree(iota_scan *s, iota_node *n)
{
	for (iota_node *c = n->first_child; c; c = c->next_sibling) {
		if (c->kind == IOTA_NODE_FILE && c->container)
			link_file(s, c);
		walk_tree(s, c);
	}
}

static void run_tree(iota_scan *s)
{
	if (s->root)
		walk_tree(s, s->root);
}

const iota_analyzer iota_analyzer_elf = {
	.name = "elf",
	.description = "ELF architecture, linking and hardening (NX, PIE, RELRO, canary, FORTIFY)",
	.wants = wants,
	.run_file = run_file,
	.run_tree = run_tree,
};
