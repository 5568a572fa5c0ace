// SPDX-License-Identifier: GPL-2.0
/* elfpoint.c: an ELF file's build-id and the instruction lkpd holds new processes at (entry or init). */
#include <errno.h>
#include <gelf.h>
#include <string.h>

#include "buildid.h"
#include "lkpd.h"

/* The file offset of ELF address @vaddr, from the PT_LOAD that holds it in the file. */
static int vaddr_to_offset(Elf *elf, size_t nph, uint64_t vaddr, uint64_t *off)
{
	GElf_Phdr ph;
	size_t i;

	for (i = 0; i < nph; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * The first DT_INIT_ARRAY entry. In a PIC object the slot holds 0 in the
 * file and an R_X86_64_RELATIVE relocation (in DT_RELA) gives the value as
 * its addend; in a non-PIC one the slot holds the address itself.
 */
static int first_init_array(Elf *elf, size_t nph, uint64_t array, uint64_t rela,
			    uint64_t relasz, uint64_t *fn)
{
	uint64_t off, slot = 0, n, i;
	GElf_Rela r;
	Elf_Data *d;

	if (vaddr_to_offset(elf, nph, array, &off))
		return -ENOENT;
	d = elf_getdata_rawchunk(elf, off, sizeof(slot), ELF_T_XWORD);
	if (d)
		memcpy(&slot, d->d_buf, sizeof(slot));
	if (slot) {
		*fn = slot;
		return 0;
	}
	if (!rela || vaddr_to_offset(elf, nph, rela, &off))
		return -ENOENT;
	d = elf_getdata_rawchunk(elf, off, relasz, ELF_T_RELA);
	n = d ? relasz / sizeof(Elf64_Rela) : 0;
	for (i = 0; i < n; i++) {
		if (!gelf_getrela(d, i, &r))
			break;
		if (r.r_offset == array && GELF_R_TYPE(r.r_info) == R_X86_64_RELATIVE) {
			*fn = r.r_addend;
			return 0;
		}
	}
	return -ENOENT;
}

int lkpd_elf_read(int fd, struct lkpd_elf *e)
{
	uint64_t init = 0, array = 0, arraysz = 0, rela = 0, relasz = 0, fn = 0;
	bool interp = false, soname = false, dynamic = false;
	GElf_Ehdr eh;
	GElf_Phdr ph, dph;
	GElf_Dyn dyn;
	Elf_Data *d;
	size_t nph, i;
	Elf *elf;
	int ret = -ENOEXEC;

	memset(e, 0, sizeof(*e));
	e->kind = "";
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    elf_getphdrnum(elf, &nph))
		goto out;
	e->e_type = eh.e_type;
	for (i = 0; i < nph; i++) {
		if (!gelf_getphdr(elf, i, &ph))
			continue;
		if (ph.p_type == PT_NOTE && !e->build_id_size)
			e->build_id_size = lkp_note_build_id(elf, &ph, e->build_id);
		else if (ph.p_type == PT_INTERP)
			interp = true;
		else if (ph.p_type == PT_DYNAMIC) {
			dph = ph;
			dynamic = true;
		}
	}
	if (dynamic) {
		d = elf_getdata_rawchunk(elf, dph.p_offset, dph.p_filesz, ELF_T_DYN);
		for (i = 0; d && i < dph.p_filesz / sizeof(Elf64_Dyn); i++) {
			if (!gelf_getdyn(d, i, &dyn) || dyn.d_tag == DT_NULL)
				break;
			switch (dyn.d_tag) {
			case DT_INIT: init = dyn.d_un.d_ptr; break;
			case DT_INIT_ARRAY: array = dyn.d_un.d_ptr; break;
			case DT_INIT_ARRAYSZ: arraysz = dyn.d_un.d_val; break;
			case DT_RELA: rela = dyn.d_un.d_ptr; break;
			case DT_RELASZ: relasz = dyn.d_un.d_val; break;
			case DT_SONAME: soname = true; break;
			}
		}
	}
	/*
	 * A library (a shared object with a soname, or one the loader cannot
	 * run) is held at its init function; an executable (ET_EXEC, or a PIE:
	 * an interpreter and no soname) at its entry point. libc.so.6 has both
	 * an interpreter and a soname: it is a library.
	 */
	e->library = eh.e_type == ET_DYN && (soname || !interp);
	ret = -ENOENT;
	if (!e->library) {
		e->kind = "entry";
		if (eh.e_entry)
			ret = vaddr_to_offset(elf, nph, eh.e_entry, &e->hold_offset);
	} else if (init) {
		e->kind = "DT_INIT";
		ret = vaddr_to_offset(elf, nph, init, &e->hold_offset);
	} else if (array && arraysz >= sizeof(uint64_t)) {
		e->kind = "DT_INIT_ARRAY[0]";
		ret = first_init_array(elf, nph, array, rela, relasz, &fn);
		if (!ret)
			ret = vaddr_to_offset(elf, nph, fn, &e->hold_offset);
	}
	e->has_point = !ret;
	ret = 0;
out:
	if (elf)
		elf_end(elf);
	return ret;
}
